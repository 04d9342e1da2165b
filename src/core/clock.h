// The wall clock as Kafka and Debezium count it: time since the Unix epoch.
#pragma once
#include <time.h>

#include <cstdint>

namespace sluice {

inline int64_t unix_nanos() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
inline int64_t unix_micros() { return unix_nanos() / 1000; }
inline int64_t unix_millis() { return unix_nanos() / 1000000; }

}  // namespace sluice
