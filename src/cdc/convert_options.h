// Debezium's value-handling modes, as set by the connector config.
#pragma once
#include <string>

namespace sluice::cdc {

enum class DecimalMode { precise, string, double_ };
enum class TimePrecisionMode { adaptive, adaptive_time_microseconds, connect };
enum class BinaryMode { bytes, base64, base64_url_safe, hex };
enum class IntervalMode { numeric, string };
enum class HstoreMode { json, map };

struct ConvertOptions {
  DecimalMode decimal = DecimalMode::precise;
  TimePrecisionMode time = TimePrecisionMode::adaptive;
  BinaryMode binary = BinaryMode::bytes;
  IntervalMode interval = IntervalMode::numeric;
  HstoreMode hstore = HstoreMode::json;
  int money_fraction_digits = 2;
};

}  // namespace sluice::cdc
