// Intervals, read the way pgjdbc's PGInterval reads them and written as Debezium's MicroDuration
// or Interval.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::cdc::convert {

struct IntervalParts {
  int64_t years = 0, months = 0, days = 0, hours = 0, minutes = 0;
  int64_t whole_seconds = 0, micros = 0;  // same sign
};

// IntervalStyle=iso_8601: P[nY][nM][nD][T[nH][nM][n.nS]], each part signed on its own.
bool parse_iso_interval(std::string_view t, IntervalParts& p);

// The postgres / postgres_verbose styles ("1 year 2 mons 3 days 04:05:06.78", "@ 1 day ago"),
// token by token as PGInterval.setValue does.
bool parse_verbose_interval(std::string_view t, IntervalParts& p);

// MicroDuration (micros) or Interval (ISO text).
void append_interval(std::string& out, const IntervalParts& p, bool micros);

}  // namespace sluice::cdc::convert
