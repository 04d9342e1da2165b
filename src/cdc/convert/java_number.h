// Numbers as Java prints them, since Debezium's values pass through Java types before Jackson
// writes them.
#pragma once
#include <cstdint>
#include <string>

namespace sluice::cdc::convert {

// Double.toString / Float.toString, as Jackson writes DoubleNode and FloatNode: the shortest
// decimal that reads back to the same value (never fewer than two digits), plain between 10^-3
// and 10^7, otherwise d.dddE±n. NaN and infinities become the strings Jackson writes.
void append_java_number(std::string& out, double v);
void append_java_number(std::string& out, float v);

// BigDecimal.valueOf(d).stripTrailingZeros().toPlainString().
void append_plain_stripped(std::string& out, double d);

// Java's (long) cast of a double: NaN is 0, out-of-range values saturate.
int64_t java_d2l(double d);

}  // namespace sluice::cdc::convert
