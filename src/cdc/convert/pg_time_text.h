// Dates, times and timestamps: PostgreSQL's ISO DateStyle text read into epoch values, and the
// java.time ISO forms Debezium's Zoned* types write.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::cdc::convert {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kMicrosPerDay = kSecondsPerDay * kMicrosPerSecond;

// A local date and time of day, with the offset when the text had one.
struct Stamp {
  int64_t days = 0;    // local date, days since 1970-01-01
  int64_t micros = 0;  // local time of day
  int offset = 0;      // seconds east of UTC
};

// YYYY-MM-DD[ HH:MM:SS[.f]][offset][ BC]; the offset is only accepted when allow_offset.
bool parse_timestamp(std::string_view t, Stamp& st, bool allow_offset);

// HH:MM[:SS[.f]] and nothing after it, as microseconds of the day (24:00:00 allowed).
bool parse_time_of_day(std::string_view t, int64_t& micros);

// (int) epochDay, as Debezium's Date carries it.
void append_epoch_day(std::string& out, int64_t days);

// Timestamp (millis) or MicroTimestamp of a local date-time taken as UTC.
void append_local_timestamp(std::string& out, const Stamp& st, bool millis);

// ZonedTimestamp: "<date>T<time>Z" with the fraction exactly `precision` digits wide.
void append_zoned_timestamp(std::string& out, const Stamp& st, int precision);

// Column values by type; each returns false when the text is not of that type.
bool append_date(std::string& out, std::string_view text);
// Time (millis) or MicroTime; java_sql_time keeps milliseconds only, as pgjdbc does for time[].
bool append_time(std::string& out, std::string_view text, bool millis, bool java_sql_time);
bool append_timestamp(std::string& out, std::string_view text, bool millis);
bool append_timestamptz(std::string& out, std::string_view text, int precision);
bool append_timetz(std::string& out, std::string_view text);

}  // namespace sluice::cdc::convert
