// Expected values were worked out independently of the converter: base64 of known byte strings,
// epoch days/microseconds from Python's datetime, two's-complement bytes from
// int.to_bytes(signed=True), and the outputs asserted by Debezium's own PostgreSQL tests
// (AbstractRecordsProducerTest) where those exist.
#include "cdc/value_converter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

namespace sluice::cdc {
namespace {

namespace oid = pg::oid;

pg::TypeInfo type(uint32_t o, const std::string& name, char typtype = 'b') {
  pg::TypeInfo t;
  t.oid = o;
  t.name = name;
  t.typtype = typtype;
  return t;
}

pg::TypeInfo array_of(const pg::TypeInfo& element, uint32_t o = 0) {
  pg::TypeInfo t = type(o, "_" + element.name);
  t.element = std::make_shared<const pg::TypeInfo>(element);
  return t;
}

pg::TypeInfo enum_type(const std::string& name, std::vector<std::string> labels) {
  pg::TypeInfo t = type(90001, name, 'e');
  t.enum_labels = std::move(labels);
  return t;
}

int32_t numeric_typmod(int precision, int scale) { return ((precision << 16) | scale) + 4; }

std::string schema(const ValueConverter& c, bool optional = true,
                   const std::string* def = nullptr) {
  std::string out;
  c.append_field_schema(out, "f", optional, def);
  return out;
}

std::string value(const ValueConverter& c, std::string_view text) {
  std::string out = "<";
  EXPECT_TRUE(c.append_value(out, text)) << "text: " << text;
  return out.substr(1);
}

// append_value must report failure and leave the buffer as it was.
void expect_rejected(const ValueConverter& c, std::string_view text) {
  std::string out = "prefix";
  EXPECT_FALSE(c.append_value(out, text)) << "text: " << text;
  EXPECT_EQ(out, "prefix") << "text: " << text;
}

std::string unavailable(const ValueConverter& c,
                        std::string_view placeholder = "__debezium_unavailable_value") {
  std::string out;
  c.append_unavailable(out, placeholder);
  return out;
}

std::string def(const ValueConverter& c, std::string_view expr) {
  auto d = c.default_value(expr);
  EXPECT_TRUE(d.has_value()) << "expr: " << expr;
  return d.value_or("<none>");
}

ConvertOptions opts() { return ConvertOptions{}; }

// ---------------------------------------------------------------------------------------------

TEST(ValueConverter, Boolean) {
  ValueConverter c(type(oid::kBool, "bool"), -1, opts());
  EXPECT_TRUE(c.supported());
  EXPECT_EQ(schema(c), R"({"type":"boolean","optional":true,"field":"f"})");
  EXPECT_EQ(schema(c, false), R"({"type":"boolean","optional":false,"field":"f"})");
  EXPECT_EQ(value(c, "t"), "true");
  EXPECT_EQ(value(c, "f"), "false");
}

TEST(ValueConverter, Integers) {
  ValueConverter i2(type(oid::kInt2, "int2"), -1, opts());
  ValueConverter i4(type(oid::kInt4, "int4"), -1, opts());
  ValueConverter i8(type(oid::kInt8, "int8"), -1, opts());
  ValueConverter o(type(oid::kOid, "oid"), -1, opts());
  EXPECT_EQ(schema(i2), R"({"type":"int16","optional":true,"field":"f"})");
  EXPECT_EQ(schema(i4), R"({"type":"int32","optional":true,"field":"f"})");
  EXPECT_EQ(schema(i8), R"({"type":"int64","optional":true,"field":"f"})");
  EXPECT_EQ(schema(o), R"({"type":"int64","optional":true,"field":"f"})");
  EXPECT_EQ(value(i2, "-32768"), "-32768");
  EXPECT_EQ(value(i4, "123456"), "123456");
  EXPECT_EQ(value(i8, "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(value(o, "4000000000"), "4000000000");
  expect_rejected(i4, "12a");
  expect_rejected(i4, "");
  expect_rejected(i4, "-");
}

TEST(ValueConverter, FloatsAreWrittenAsJavaPrintsThem) {
  ValueConverter f4(type(oid::kFloat4, "float4"), -1, opts());
  ValueConverter f8(type(oid::kFloat8, "float8"), -1, opts());
  EXPECT_EQ(schema(f4), R"({"type":"float","optional":true,"field":"f"})");
  EXPECT_EQ(schema(f8), R"({"type":"double","optional":true,"field":"f"})");
  // Float.toString / Double.toString
  EXPECT_EQ(value(f4, "3.3"), "3.3");
  EXPECT_EQ(value(f4, "3"), "3.0");
  EXPECT_EQ(value(f4, "3.14"), "3.14");
  EXPECT_EQ(value(f4, "1e+10"), "1.0E10");
  EXPECT_EQ(value(f4, "1.5e-07"), "1.5E-7");
  EXPECT_EQ(value(f4, "-0"), "-0.0");
  EXPECT_EQ(value(f4, "NaN"), R"("NaN")");
  EXPECT_EQ(value(f4, "Infinity"), R"("Infinity")");
  EXPECT_EQ(value(f4, "-Infinity"), R"("-Infinity")");
  EXPECT_EQ(value(f8, "4.44"), "4.44");
  EXPECT_EQ(value(f8, "4"), "4.0");
  EXPECT_EQ(value(f8, "100"), "100.0");
  EXPECT_EQ(value(f8, "0.001"), "0.001");
  EXPECT_EQ(value(f8, "0.0001"), "1.0E-4");
  EXPECT_EQ(value(f8, "1234567"), "1234567.0");
  EXPECT_EQ(value(f8, "12345678"), "1.2345678E7");
  EXPECT_EQ(value(f8, "1e+100"), "1.0E100");
  EXPECT_EQ(value(f8, "-1.5e-300"), "-1.5E-300");
  EXPECT_EQ(value(f8, "1.7976931348623157e+308"), "1.7976931348623157E308");
  EXPECT_EQ(value(f8, "5e-324"), "4.9E-324");
  EXPECT_EQ(value(f8, "0.1"), "0.1");
  EXPECT_EQ(value(f8, "NaN"), R"("NaN")");
  expect_rejected(f8, "abc");
}

TEST(ValueConverter, NumericPreciseWithScale) {
  ValueConverter c(type(oid::kNumeric, "numeric"), numeric_typmod(10, 2), opts());
  EXPECT_EQ(
      schema(c),
      R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,)"
      R"("parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"f"})");
  EXPECT_EQ(value(c, "100.00"), R"("JxA=")");
  EXPECT_EQ(value(c, "1.10"), R"("bg==")");
  EXPECT_EQ(value(c, "-1.00"), R"("nA==")");
  EXPECT_EQ(value(c, "0.00"), R"("AA==")");
  EXPECT_EQ(value(c, "1234.56"), R"("AeJA")");
  EXPECT_EQ(value(c, "NaN"), "null");  // Debezium cannot express NaN as a Decimal
  expect_rejected(c, "1.2.3");

  ValueConverter big(type(oid::kNumeric, "numeric"), numeric_typmod(30, 2), opts());
  EXPECT_EQ(value(big, "12345678901234567890.12"), R"("Qu0SOwvYIDoU")");
  EXPECT_EQ(value(big, "-12345678901234567890.12"), R"("vRLtxPQn38Xs")");

  ValueConverter zero_scale(type(oid::kNumeric, "numeric"), numeric_typmod(4, 0), opts());
  EXPECT_EQ(
      schema(zero_scale),
      R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,)"
      R"("parameters":{"scale":"0","connect.decimal.precision":"4"},"field":"f"})");
  EXPECT_EQ(value(zero_scale, "22"), R"("Fg==")");
}

TEST(ValueConverter, NumericPreciseWithoutScaleIsVariableScaleDecimal) {
  ValueConverter c(type(oid::kNumeric, "numeric"), -1, opts());
  EXPECT_EQ(schema(c),
            R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},)"
            R"({"type":"bytes","optional":false,"field":"value"}],"optional":true,)"
            R"("name":"io.debezium.data.VariableScaleDecimal","version":1,)"
            R"("doc":"Variable scaled decimal","field":"f"})");
  EXPECT_EQ(value(c, "10.1111"), R"({"scale":4,"value":"AYr3"})");
  EXPECT_EQ(value(c, "22"), R"({"scale":0,"value":"Fg=="})");
  EXPECT_EQ(value(c, "22.2200"), R"({"scale":2,"value":"CK4="})");  // trailing zeros stripped
  EXPECT_EQ(value(c, "100"), R"({"scale":0,"value":"ZA=="})");      // never a negative scale
  EXPECT_EQ(value(c, "0.000"), R"({"scale":0,"value":"AA=="})");
  EXPECT_EQ(value(c, "-1.5"), R"({"scale":1,"value":"8Q=="})");
  EXPECT_EQ(value(c, "1"), R"({"scale":0,"value":"AQ=="})");
  EXPECT_EQ(value(c, "10000000000000000000000000000000000000001"),
            R"({"scale":0,"value":"HWMp8cNcpL+rufVhAAAAAAE="})");
  EXPECT_EQ(value(c, "NaN"), "null");
}

TEST(ValueConverter, NumericStringAndDoubleModes) {
  ConvertOptions s = opts();
  s.decimal = DecimalMode::string;
  ValueConverter str(type(oid::kNumeric, "numeric"), numeric_typmod(3, 2), s);
  EXPECT_EQ(schema(str), R"({"type":"string","optional":true,"field":"f"})");
  EXPECT_EQ(value(str, "1.10"), R"("1.10")");
  EXPECT_EQ(value(str, "NaN"), R"("NAN")");
  EXPECT_EQ(value(str, "Infinity"), R"("POSITIVE_INFINITY")");
  EXPECT_EQ(value(str, "-Infinity"), R"("NEGATIVE_INFINITY")");
  ValueConverter var_str(type(oid::kNumeric, "numeric"), -1, s);
  EXPECT_EQ(value(var_str, "10.1111"), R"("10.1111")");

  ConvertOptions d = opts();
  d.decimal = DecimalMode::double_;
  ValueConverter dbl(type(oid::kNumeric, "numeric"), numeric_typmod(6, 4), d);
  EXPECT_EQ(schema(dbl), R"({"type":"double","optional":true,"field":"f"})");
  EXPECT_EQ(value(dbl, "22.2200"), "22.22");
  EXPECT_EQ(value(dbl, "22"), "22.0");
  EXPECT_EQ(value(dbl, "10.1111"), "10.1111");
  EXPECT_EQ(value(dbl, "NaN"), R"("NaN")");
}

TEST(ValueConverter, Money) {
  ValueConverter c(type(oid::kMoney, "money"), -1, opts());
  EXPECT_EQ(
      schema(c),
      R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,)"
      R"("parameters":{"scale":"2"},"field":"f"})");
  EXPECT_EQ(value(c, "$1,234.56"), R"("AeJA")");
  EXPECT_EQ(value(c, "-$1,234.11"), R"("/h3t")");
  EXPECT_EQ(value(c, "($1,234.11)"), R"("/h3t")");
  EXPECT_EQ(value(c, "$0.00"), R"("AA==")");
  expect_rejected(c, "$1,2x4.00");

  ConvertOptions three = opts();
  three.money_fraction_digits = 3;
  EXPECT_EQ(value(ValueConverter(type(oid::kMoney, "money"), -1, three), "$1.50"), R"("Bdw=")");

  ConvertOptions one = opts();
  one.money_fraction_digits = 1;  // setScale(1, HALF_UP)
  ValueConverter r(type(oid::kMoney, "money"), -1, one);
  EXPECT_EQ(value(r, "$1.25"), R"("DQ==")");
  EXPECT_EQ(value(r, "$1.24"), R"("DA==")");
  EXPECT_EQ(value(r, "-$1.25"), R"("8w==")");

  ConvertOptions s = opts();
  s.decimal = DecimalMode::string;
  ValueConverter str(type(oid::kMoney, "money"), -1, s);
  EXPECT_EQ(schema(str), R"({"type":"string","optional":true,"field":"f"})");
  EXPECT_EQ(value(str, "$1,234.56"), R"("1234.56")");
  EXPECT_EQ(value(str, "-$1,234.11"), R"("-1234.11")");

  ConvertOptions d = opts();
  d.decimal = DecimalMode::double_;
  ValueConverter dbl(type(oid::kMoney, "money"), -1, d);
  EXPECT_EQ(schema(dbl), R"({"type":"double","optional":true,"field":"f"})");
  EXPECT_EQ(value(dbl, "$1,234.56"), "1234.56");
  EXPECT_EQ(value(dbl, "-$1.00"), "-1.0");
}

TEST(ValueConverter, Strings) {
  for (auto t : {type(oid::kText, "text"), type(oid::kVarchar, "varchar"),
                 type(oid::kBpchar, "bpchar"), type(oid::kChar, "char"), type(oid::kName, "name"),
                 type(oid::kInet, "inet"), type(oid::kCidr, "cidr"), type(oid::kMacaddr, "macaddr"),
                 type(774, "macaddr8"), type(oid::kInt4range, "int4range"),
                 type(oid::kNumrange, "numrange"), type(oid::kTsrange, "tsrange"),
                 type(oid::kTstzrange, "tstzrange"), type(oid::kDaterange, "daterange"),
                 type(oid::kInt8range, "int8range"), type(77001, "citext"), type(77002, "isbn")}) {
    ValueConverter c(t, -1, opts());
    EXPECT_TRUE(c.supported()) << t.name;
    EXPECT_EQ(schema(c), R"({"type":"string","optional":true,"field":"f"})") << t.name;
  }
  ValueConverter text(type(oid::kText, "text"), -1, opts());
  EXPECT_EQ(value(text, "some \"text\"\n\\"), R"("some \"text\"\n\\")");
  EXPECT_EQ(value(text, "\xC5\xBE\xC5\xA1"), "\"\xC5\xBE\xC5\xA1\"");
  EXPECT_EQ(value(text, ""), R"("")");
  ValueConverter bpchar(type(oid::kBpchar, "bpchar"), 14, opts());
  EXPECT_EQ(value(bpchar, "ab        "), R"("ab        ")");  // padding kept
  ValueConverter range(type(oid::kTsrange, "tsrange"), -1, opts());
  EXPECT_EQ(value(range, R"(["2019-03-31 15:30:00",infinity))"),
            R"x("[\"2019-03-31 15:30:00\",infinity)")x");
}

TEST(ValueConverter, NamedStrings) {
  struct Case {
    pg::TypeInfo t;
    const char* name;
  };
  for (const auto& k : {Case{type(oid::kJson, "json"), "io.debezium.data.Json"},
                        Case{type(oid::kJsonb, "jsonb"), "io.debezium.data.Json"},
                        Case{type(oid::kXml, "xml"), "io.debezium.data.Xml"},
                        Case{type(oid::kUuid, "uuid"), "io.debezium.data.Uuid"},
                        Case{type(3614, "tsvector"), "io.debezium.data.Tsvector"},
                        Case{type(77003, "ltree"), "io.debezium.data.Ltree"}}) {
    ValueConverter c(k.t, -1, opts());
    EXPECT_EQ(schema(c), std::string(R"({"type":"string","optional":true,"name":")") + k.name +
                             R"(","version":1,"field":"f"})");
  }
  ValueConverter json(type(oid::kJsonb, "jsonb"), -1, opts());
  EXPECT_EQ(value(json, R"({"bar": "baz"})"), R"("{\"bar\": \"baz\"}")");
  ValueConverter uuid(type(oid::kUuid, "uuid"), -1, opts());
  EXPECT_EQ(value(uuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            R"("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")");
}

TEST(ValueConverter, Enum) {
  ValueConverter c(enum_type("mood", {"sad", "ok", "happy"}), -1, opts());
  EXPECT_EQ(schema(c, false),
            R"({"type":"string","optional":false,"name":"io.debezium.data.Enum","version":1,)"
            R"("parameters":{"allowed":"sad,ok,happy"},"field":"f"})");
  EXPECT_EQ(value(c, "happy"), R"("happy")");
}

TEST(ValueConverter, ByteaModes) {
  ValueConverter bytes(type(oid::kBytea, "bytea"), -1, opts());
  EXPECT_EQ(schema(bytes), R"({"type":"bytes","optional":true,"field":"f"})");
  EXPECT_EQ(value(bytes, "\\x010203"), R"("AQID")");
  EXPECT_EQ(value(bytes, "\\x000102"), R"("AAEC")");
  EXPECT_EQ(value(bytes, "\\xfbff"), R"("+/8=")");
  EXPECT_EQ(value(bytes, "\\xFBFF"), R"("+/8=")");
  EXPECT_EQ(value(bytes, "\\xcd"), R"("zQ==")");
  EXPECT_EQ(value(bytes, "\\x"), R"("")");
  expect_rejected(bytes, "\\x012");
  expect_rejected(bytes, "\\x0g");
  expect_rejected(bytes, "0102");

  ConvertOptions o = opts();
  o.binary = BinaryMode::base64;
  ValueConverter b64(type(oid::kBytea, "bytea"), -1, o);
  EXPECT_EQ(schema(b64), R"({"type":"string","optional":true,"field":"f"})");
  EXPECT_EQ(value(b64, "\\xfbff"), R"("+/8=")");
  o.binary = BinaryMode::base64_url_safe;
  ValueConverter url(type(oid::kBytea, "bytea"), -1, o);
  EXPECT_EQ(schema(url), R"({"type":"string","optional":true,"field":"f"})");
  EXPECT_EQ(value(url, "\\xfbff"), R"("-_8=")");
  EXPECT_EQ(value(url, "\\x010203"), R"("AQID")");
  o.binary = BinaryMode::hex;
  ValueConverter hex(type(oid::kBytea, "bytea"), -1, o);
  EXPECT_EQ(schema(hex), R"({"type":"string","optional":true,"field":"f"})");
  EXPECT_EQ(value(hex, "\\x01FFab"), R"("01ffab")");
}

TEST(ValueConverter, Date) {
  ValueConverter c(type(oid::kDate, "date"), -1, opts());
  EXPECT_EQ(
      schema(c),
      R"({"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1,"field":"f"})");
  EXPECT_EQ(value(c, "2016-11-04"), "17109");
  EXPECT_EQ(value(c, "1970-01-01"), "0");
  EXPECT_EQ(value(c, "1969-12-31"), "-1");
  EXPECT_EQ(value(c, "2000-03-01"), "11017");
  EXPECT_EQ(value(c, "0001-01-01 BC"), "-719528");  // year 0 proleptic
  EXPECT_EQ(value(c, "21016-11-04"), "6956716");
  EXPECT_EQ(value(c, "infinity"), "-2147472693");   // LocalDate -5877611-06-21
  EXPECT_EQ(value(c, "-infinity"), "-2147472692");  // LocalDate -5877611-06-22
  expect_rejected(c, "2016-13-01");
  expect_rejected(c, "yesterday");

  ConvertOptions o = opts();
  o.time = TimePrecisionMode::connect;
  ValueConverter conn(type(oid::kDate, "date"), -1, o);
  EXPECT_EQ(
      schema(conn),
      R"({"type":"int32","optional":true,"name":"org.apache.kafka.connect.data.Date","version":1,"field":"f"})");
  EXPECT_EQ(value(conn, "2016-11-04"), "17109");
}

TEST(ValueConverter, TimeByPrecisionAndMode) {
  ValueConverter micro(type(oid::kTime, "time"), -1, opts());
  EXPECT_EQ(
      schema(micro),
      R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTime","version":1,"field":"f"})");
  EXPECT_EQ(value(micro, "13:51:30"), "49890000000");
  EXPECT_EQ(value(micro, "13:51:30.123456"), "49890123456");
  EXPECT_EQ(value(micro, "24:00:00"), "86400000000");
  EXPECT_EQ(value(micro, "00:00:00"), "0");
  expect_rejected(micro, "25:00:00");
  expect_rejected(micro, "1:2:3");
}

TEST(ValueConverter, TimeMillisAndModes) {
  ValueConverter milli(type(oid::kTime, "time"), 3, opts());
  EXPECT_EQ(
      schema(milli),
      R"({"type":"int32","optional":true,"name":"io.debezium.time.Time","version":1,"field":"f"})");
  EXPECT_EQ(value(milli, "13:51:30.123"), "49890123");
  EXPECT_EQ(value(milli, "24:00:00"), "86400000");
  ValueConverter p0(type(oid::kTime, "time"), 0, opts());
  EXPECT_EQ(value(p0, "13:51:30"), "49890000");
  ValueConverter p4(type(oid::kTime, "time"), 4, opts());
  EXPECT_EQ(value(p4, "13:51:30.1234"), "49890123400");

  ConvertOptions o = opts();
  o.time = TimePrecisionMode::adaptive_time_microseconds;
  ValueConverter atm(type(oid::kTime, "time"), 3, o);
  EXPECT_EQ(
      schema(atm),
      R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTime","version":1,"field":"f"})");
  EXPECT_EQ(value(atm, "13:51:30.123"), "49890123000");

  o.time = TimePrecisionMode::connect;
  ValueConverter conn(type(oid::kTime, "time"), 6, o);
  EXPECT_EQ(
      schema(conn),
      R"({"type":"int32","optional":true,"name":"org.apache.kafka.connect.data.Time","version":1,"field":"f"})");
  EXPECT_EQ(value(conn, "13:51:30.123456"), "49890123");
}

TEST(ValueConverter, Timestamp) {
  ValueConverter micro(type(oid::kTimestamp, "timestamp"), -1, opts());
  EXPECT_EQ(
      schema(micro),
      R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"f"})");
  EXPECT_EQ(value(micro, "2016-11-04 13:51:30.123456"), "1478267490123456");
  EXPECT_EQ(value(micro, "1936-10-25 22:10:12.608"), "-1047174587392000");
  EXPECT_EQ(value(micro, "1970-01-01 00:00:00"), "0");
  EXPECT_EQ(value(micro, "294247-01-01 23:59:59.999999"), "9223371331199999999");
  EXPECT_EQ(value(micro, "4713-12-31 23:59:59.999999 BC"), "-210831897600000001");
  EXPECT_EQ(value(micro, "infinity"), "9223372036825200000");
  EXPECT_EQ(value(micro, "-infinity"), "-9223372036832400000");
  expect_rejected(micro, "2016-11-04T13:51:30+00:00x");

  ValueConverter milli(type(oid::kTimestamp, "timestamp"), 3, opts());
  EXPECT_EQ(
      schema(milli),
      R"({"type":"int64","optional":true,"name":"io.debezium.time.Timestamp","version":1,"field":"f"})");
  EXPECT_EQ(value(milli, "2016-11-04 13:51:30.123"), "1478267490123");
  EXPECT_EQ(value(milli, "infinity"), "9223372036825200");
  EXPECT_EQ(value(milli, "-infinity"), "-9223372036832400");

  ConvertOptions o = opts();
  o.time = TimePrecisionMode::connect;
  ValueConverter conn(type(oid::kTimestamp, "timestamp"), 6, o);
  EXPECT_EQ(
      schema(conn),
      R"({"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"f"})");
  EXPECT_EQ(value(conn, "2016-11-04 13:51:30.123456"), "1478267490123");
  EXPECT_EQ(value(conn, "1969-12-31 23:59:59.9995"), "-1");  // floored
}

TEST(ValueConverter, TimestampWithTimeZone) {
  ValueConverter c(type(oid::kTimestamptz, "timestamptz"), -1, opts());
  EXPECT_EQ(
      schema(c),
      R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"f"})");
  EXPECT_EQ(value(c, "2016-11-04 13:51:30.123456+02"), R"("2016-11-04T11:51:30.123456Z")");
  EXPECT_EQ(value(c, "2020-04-01 11:51:02+00"), R"("2020-04-01T11:51:02.000000Z")");
  EXPECT_EQ(value(c, "2018-06-20 13:13:16.945104+00"), R"("2018-06-20T13:13:16.945104Z")");
  EXPECT_EQ(value(c, "21016-11-04 13:51:30.123456+07"), R"("+21016-11-04T06:51:30.123456Z")");
  EXPECT_EQ(value(c, "21016-11-04 13:51:30+07"), R"("+21016-11-04T06:51:30.000000Z")");
  EXPECT_EQ(value(c, "294247-01-01 23:59:59.999999+00"), R"("+294247-01-01T23:59:59.999999Z")");
  EXPECT_EQ(value(c, "4714-12-31 23:59:59.999999+00 BC"), R"("-4713-12-31T23:59:59.999999Z")");
  EXPECT_EQ(value(c, "2020-01-01 00:10:00+05:30"), R"("2019-12-31T18:40:00.000000Z")");
  EXPECT_EQ(value(c, "2020-01-01 00:00:00-00:00:30"), R"("2020-01-01T00:00:30.000000Z")");
  EXPECT_EQ(value(c, "infinity"), R"("infinity")");
  EXPECT_EQ(value(c, "-infinity"), R"("-infinity")");
  expect_rejected(c, "2020-01-01 00:00:00+0x");

  ValueConverter p3(type(oid::kTimestamptz, "timestamptz"), 3, opts());
  EXPECT_EQ(value(p3, "2020-01-01 00:00:00.12+00"), R"("2020-01-01T00:00:00.120Z")");
  ValueConverter p0(type(oid::kTimestamptz, "timestamptz"), 0, opts());
  EXPECT_EQ(value(p0, "2018-06-20 13:13:16+00"), R"("2018-06-20T13:13:16Z")");
}

TEST(ValueConverter, TimeWithTimeZone) {
  ValueConverter c(type(oid::kTimetz, "timetz"), -1, opts());
  EXPECT_EQ(
      schema(c),
      R"({"type":"string","optional":true,"name":"io.debezium.time.ZonedTime","version":1,"field":"f"})");
  EXPECT_EQ(value(c, "13:51:30.123789+02"), R"("11:51:30.123789Z")");
  EXPECT_EQ(value(c, "13:51:30.123+02"), R"("11:51:30.123Z")");
  EXPECT_EQ(value(c, "11:51:02+00"), R"("11:51:02Z")");
  EXPECT_EQ(value(c, "01:00:00+02"), R"("23:00:00Z")");
  EXPECT_EQ(value(c, "23:00:00-01:30"), R"("00:30:00Z")");
  EXPECT_EQ(value(c, "24:00:00+00"), R"("24:00:00Z")");
  EXPECT_EQ(value(c, "00:00:00.5+00"), R"("00:00:00.5Z")");
  expect_rejected(c, "noon");
}

TEST(ValueConverter, IntervalNumeric) {
  ValueConverter c(type(oid::kInterval, "interval"), -1, opts());
  EXPECT_EQ(
      schema(c),
      R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroDuration","version":1,"field":"f"})");
  // MicroDuration.durationMicros(1, 2, 3, 4, 5, 6.78, 365.25 / 12)
  EXPECT_EQ(value(c, "P1Y2M3DT4H5M6.78S"), "37091106780000");
  EXPECT_EQ(value(c, "P-1Y-2M3DT-4H-5M-6.78S"), "-36572706780000");
  EXPECT_EQ(value(c, "P1M"), "2629800000000");  // 30.4375 days
  EXPECT_EQ(value(c, "PT36H"), "129600000000");
  EXPECT_EQ(value(c, "PT0S"), "0");
  EXPECT_EQ(value(c, "PT0.000001S"), "1");
  expect_rejected(c, "P1X");
  expect_rejected(c, "P1.5Y");
  expect_rejected(c, "soon");
  EXPECT_EQ(value(c, "1 day 02:00:00"), "93600000000");  // postgres style, as PGInterval reads it
}

TEST(ValueConverter, IntervalString) {
  ConvertOptions o = opts();
  o.interval = IntervalMode::string;
  ValueConverter c(type(oid::kInterval, "interval"), -1, o);
  EXPECT_EQ(
      schema(c),
      R"({"type":"string","optional":true,"name":"io.debezium.time.Interval","version":1,"field":"f"})");
  EXPECT_EQ(value(c, "P1Y2M3DT4H5M6.78S"), R"("P1Y2M3DT4H5M6.78S")");
  EXPECT_EQ(value(c, "P1D"), R"("P0Y0M1DT0H0M0S")");
  EXPECT_EQ(value(c, "PT0S"), R"("P0Y0M0DT0H0M0S")");
  EXPECT_EQ(value(c, "P-1Y-2M3DT-4H-5M-6.78S"), R"("P-1Y-2M3DT-4H-5M-6.78S")");
  EXPECT_EQ(value(c, "PT-0.5S"), R"("P0Y0M0DT0H0M-0.5S")");
  EXPECT_EQ(value(c, "PT0.000001S"), R"("P0Y0M0DT0H0M0.000001S")");
  EXPECT_EQ(value(c, "PT1M30S"), R"("P0Y0M0DT0H1M30S")");
}

TEST(ValueConverter, Bits) {
  ValueConverter b1(type(oid::kBit, "bit"), 1, opts());
  EXPECT_EQ(schema(b1), R"({"type":"boolean","optional":true,"field":"f"})");
  EXPECT_EQ(value(b1, "1"), "true");
  EXPECT_EQ(value(b1, "0"), "false");
  ValueConverter vb1(type(oid::kVarbit, "varbit"), 1, opts());
  EXPECT_EQ(schema(vb1), R"({"type":"boolean","optional":true,"field":"f"})");
  EXPECT_EQ(value(vb1, "1"), "true");

  // The expectations of Debezium's schemaAndValuesForBinTypes.
  ValueConverter b2(type(oid::kBit, "bit"), 2, opts());
  EXPECT_EQ(schema(b2),
            R"({"type":"bytes","optional":true,"name":"io.debezium.data.Bits","version":1,)"
            R"("parameters":{"length":"2"},"field":"f"})");
  EXPECT_EQ(value(b2, "11"), R"("Aw==")");
  EXPECT_EQ(value(b2, "00"), R"("")");
  EXPECT_EQ(value(ValueConverter(type(oid::kBit, "bit"), 7, opts()), "1000000"), R"("QA==")");
  EXPECT_EQ(value(ValueConverter(type(oid::kBit, "bit"), 24, opts()), "000000110000001000000001"),
            R"("AQID")");
  EXPECT_EQ(value(ValueConverter(type(oid::kBit, "bit"), 64, opts()),
                  "1000000000000000000000000000000000000000000000000000000000000000"),
            R"("AAAAAAAAAIA=")");
  ValueConverter vb(type(oid::kVarbit, "varbit"), -1, opts());
  EXPECT_EQ(schema(vb),
            R"({"type":"bytes","optional":true,"name":"io.debezium.data.Bits","version":1,)"
            R"("parameters":{"length":"2147483647"},"field":"f"})");
  EXPECT_EQ(value(vb, "101"), R"("BQ==")");
  EXPECT_EQ(value(vb, "111011010001000110000001000000001"), R"("AQIj2gE=")");
  expect_rejected(vb, "102");
}

TEST(ValueConverter, HstoreJsonFollowsHashMapOrder) {
  ValueConverter c(type(77004, "hstore"), -1, opts());
  EXPECT_EQ(
      schema(c),
      R"({"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"f"})");
  // Debezium's schemaAndValueFieldForJsonEncodedHStoreType* expectations.
  EXPECT_EQ(value(c, R"("key"=>"val")"), R"("{\"key\":\"val\"}")");
  EXPECT_EQ(value(c, R"("key1"=>"val1", "key2"=>"val2", "key3"=>"val3")"),
            R"("{\"key1\":\"val1\",\"key2\":\"val2\",\"key3\":\"val3\"}")");
  EXPECT_EQ(value(c, R"("key4"=>"val4", "key5"=>NULL)"), R"("{\"key5\":null,\"key4\":\"val4\"}")");
  EXPECT_EQ(value(c, R"("key 2"=>" ##123 78", "key_#1"=>"val 1")"),
            R"("{\"key_#1\":\"val 1\",\"key 2\":\" ##123 78\"}")");
  EXPECT_EQ(value(c, R"("a\"b"=>"c\\d")"), R"("{\"a\\\"b\":\"c\\\\d\"}")");
  EXPECT_EQ(value(c, ""), R"("{}")");
  expect_rejected(c, R"("a"=>)");
}

TEST(ValueConverter, HstoreMap) {
  ConvertOptions o = opts();
  o.hstore = HstoreMode::map;
  ValueConverter c(type(77004, "hstore"), -1, o);
  EXPECT_EQ(schema(c),
            R"({"type":"map","keys":{"type":"string","optional":false},)"
            R"("values":{"type":"string","optional":true},"optional":true,"field":"f"})");
  EXPECT_EQ(value(c, R"("key4"=>"val4", "key5"=>NULL)"), R"({"key5":null,"key4":"val4"})");
}

TEST(ValueConverter, Point) {
  ValueConverter c(type(oid::kPoint, "point"), -1, opts());
  EXPECT_EQ(
      schema(c),
      R"({"type":"struct","fields":[{"type":"double","optional":false,"field":"x"},)"
      R"({"type":"double","optional":false,"field":"y"},{"type":"bytes","optional":true,"field":"wkb"},)"
      R"({"type":"int32","optional":true,"field":"srid"}],"optional":true,)"
      R"x("name":"io.debezium.data.geometry.Point","version":1,"doc":"Geometry (POINT)","field":"f"})x");
  EXPECT_EQ(value(c, "(1,1)"),
            R"({"x":1.0,"y":1.0,"wkb":"AQEAAAAAAAAAAADwPwAAAAAAAPA/","srid":null})");
  EXPECT_EQ(value(c, "(-1.5,2.25)"),
            R"({"x":-1.5,"y":2.25,"wkb":"AQEAAAAAAAAAAAD4vwAAAAAAAAJA","srid":null})");
}

TEST(ValueConverter, Vectors) {
  ValueConverter v(type(77005, "vector"), 3, opts());
  EXPECT_EQ(schema(v),
            R"({"type":"array","items":{"type":"double","optional":false},"optional":true,)"
            R"("name":"io.debezium.data.DoubleVector","version":1,"field":"f"})");
  EXPECT_EQ(value(v, "[1,2.5,-3]"), "[1.0,2.5,-3.0]");
  ValueConverter h(type(77006, "halfvec"), 2, opts());
  EXPECT_EQ(schema(h),
            R"({"type":"array","items":{"type":"float","optional":false},"optional":true,)"
            R"("name":"io.debezium.data.FloatVector","version":1,"field":"f"})");
  EXPECT_EQ(value(h, "[0.5,1]"), "[0.5,1.0]");
}

// Debezium drops these; we keep them as PostgreSQL's text form in a plain string field.
TEST(ValueConverter, UnmappedTypesAreText) {
  struct Case {
    pg::TypeInfo type;
    std::string_view text;
    std::string_view json;
  };
  const Case cases[] = {
      {type(3220, "pg_lsn"), "0/16B3748", R"x("0/16B3748")x"},
      {type(3615, "tsquery"), "'a' & 'b'", R"x("'a' & 'b'")x"},
      {type(603, "box"), "(3,4),(1,2)", R"x("(3,4),(1,2)")x"},
      {type(718, "circle"), "<(1,2),3>", R"x("<(1,2),3>")x"},
      {type(628, "line"), "{1,-1,0}", R"x("{1,-1,0}")x"},
      {type(601, "lseg"), "[(1,2),(3,4)]", R"x("[(1,2),(3,4)]")x"},
      {type(602, "path"), "((1,2),(3,4))", R"x("((1,2),(3,4))")x"},
      {type(604, "polygon"), "((0,0),(1,1),(1,0))", R"x("((0,0),(1,1),(1,0))")x"},
      {type(90002, "floatrange", 'r'), "[1.5,2.5)", R"x("[1.5,2.5)")x"},
      {type(90003, "my_composite", 'c'), R"x((1,"x y",))x", R"x("(1,\"x y\",)")x"},
      {type(4451, "int4multirange", 'm'), "{[1,3),[5,7)}", R"x("{[1,3),[5,7)}")x"},
      {type(77007, "geometry"), "0101000000000000000000F03F", R"x("0101000000000000000000F03F")x"},
      {type(99999, "mystery"), "", R"x("")x"},
  };
  for (const auto& c : cases) {
    ValueConverter conv(c.type, -1, opts());
    EXPECT_TRUE(conv.supported()) << c.type.name;
    EXPECT_EQ(schema(conv), R"({"type":"string","optional":true,"field":"f"})") << c.type.name;
    EXPECT_EQ(schema(conv, false), R"({"type":"string","optional":false,"field":"f"})");
    EXPECT_EQ(value(conv, c.text), c.json) << c.type.name;
    EXPECT_EQ(unavailable(conv), R"("__debezium_unavailable_value")") << c.type.name;
    EXPECT_FALSE(conv.default_value("'0/0'::pg_lsn")) << c.type.name;  // Debezium has no mapper
  }
}

// ---------------------------------------------------------------------------------------------
// Arrays

TEST(ValueConverterArray, IntegersAndSchema) {
  ValueConverter c(array_of(type(oid::kInt4, "int4"), 1007), -1, opts());
  EXPECT_TRUE(c.supported());
  EXPECT_EQ(
      schema(c),
      R"({"type":"array","items":{"type":"int32","optional":true},"optional":true,"field":"f"})");
  EXPECT_EQ(value(c, "{1,2,3}"), "[1,2,3]");
  EXPECT_EQ(value(c, "{1,NULL,3}"), "[1,null,3]");
  EXPECT_EQ(value(c, "{}"), "[]");
  EXPECT_EQ(value(c, "{{1,2},{3,4}}"), "[[1,2],[3,4]]");
  EXPECT_EQ(value(c, "[0:1]={5,6}"), "[5,6]");
  expect_rejected(c, "{1,2");
  expect_rejected(c, "{1,x}");
  expect_rejected(c, "1,2");
  expect_rejected(c, "{1,2}}");
  ValueConverter big(array_of(type(oid::kInt8, "int8"), 1016), -1, opts());
  EXPECT_EQ(value(big, "{1550166368505037572}"), "[1550166368505037572]");
}

TEST(ValueConverterArray, QuotedTextElements) {
  ValueConverter c(array_of(type(oid::kText, "text"), 1009), -1, opts());
  EXPECT_EQ(
      schema(c),
      R"({"type":"array","items":{"type":"string","optional":true},"optional":true,"field":"f"})");
  EXPECT_EQ(value(c, R"({one,two,three})"), R"(["one","two","three"])");
  EXPECT_EQ(value(c, R"({"a b","c\"d","e\\f",NULL,"NULL",null})"),
            R"(["a b","c\"d","e\\f",null,"NULL",null])");
  EXPECT_EQ(value(c, R"({"",x})"), R"(["","x"])");
  EXPECT_EQ(value(c, R"({{a,b},{"c,d",e}})"), R"([["a","b"],["c,d","e"]])");
  ValueConverter bp(array_of(type(oid::kBpchar, "bpchar"), 1014), 14, opts());
  EXPECT_EQ(value(bp, R"({"cone      ","ctwo      "})"), R"(["cone      ","ctwo      "])");
  ValueConverter js(array_of(type(oid::kJsonb, "jsonb"), 3807), -1, opts());
  EXPECT_EQ(
      schema(js),
      R"({"type":"array","items":{"type":"string","optional":true,"name":"io.debezium.data.Json",)"
      R"("version":1},"optional":true,"field":"f"})");
  EXPECT_EQ(value(js, R"({"{\"bar\": \"baz\"}","{\"foo\": \"qux\"}"})"),
            R"(["{\"bar\": \"baz\"}","{\"foo\": \"qux\"}"])");
  ValueConverter range(array_of(type(oid::kTsrange, "tsrange"), 3909), -1, opts());
  EXPECT_EQ(value(range, R"x({"[\"2019-03-31 15:30:00\",infinity)"})x"),
            R"x(["[\"2019-03-31 15:30:00\",infinity)"])x");
}

TEST(ValueConverterArray, TypedElements) {
  ValueConverter num(array_of(type(oid::kNumeric, "numeric"), 1231), numeric_typmod(10, 2), opts());
  EXPECT_EQ(
      schema(num),
      R"({"type":"array","items":{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal",)"
      R"("version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"}},"optional":true,"field":"f"})");
  EXPECT_EQ(value(num, "{1.20,3.40}"), R"(["eA==","AVQ="])");

  ValueConverter var(array_of(type(oid::kNumeric, "numeric"), 1231), -1, opts());
  EXPECT_EQ(value(var, "{1.1,2.22}"), R"([{"scale":1,"value":"Cw=="},{"scale":2,"value":"AN4="}])");

  ValueConverter dates(array_of(type(oid::kDate, "date"), 1182), -1, opts());
  EXPECT_EQ(
      schema(dates),
      R"({"type":"array","items":{"type":"int32","optional":true,"name":"io.debezium.time.Date","version":1},)"
      R"("optional":true,"field":"f"})");
  EXPECT_EQ(value(dates, "{2016-11-04,2016-11-05}"), "[17109,17110]");

  // pgjdbc hands time[] elements over as java.sql.Time: milliseconds only.
  ValueConverter times(array_of(type(oid::kTime, "time"), 1183), -1, opts());
  EXPECT_EQ(value(times, "{00:01:02,01:02:03.123456}"), "[62000000,3723123000]");

  ValueConverter tz(array_of(type(oid::kTimestamptz, "timestamptz"), 1185), -1, opts());
  EXPECT_EQ(value(tz, R"({"2020-04-01 11:51:02+00","2020-04-01 12:51:03+00"})"),
            R"(["2020-04-01T11:51:02.000000Z","2020-04-01T12:51:03.000000Z"])");
  ValueConverter ttz(array_of(type(oid::kTimetz, "timetz"), 1270), -1, opts());
  EXPECT_EQ(value(ttz, "{13:51:02+02,14:51:03+02}"), R"(["11:51:02Z","12:51:03Z"])");

  ValueConverter bools(array_of(type(oid::kBool, "bool"), 1000), -1, opts());
  EXPECT_EQ(value(bools, "{t,f,NULL}"), "[true,false,null]");
  ValueConverter floats(array_of(type(oid::kFloat8, "float8"), 1022), -1, opts());
  EXPECT_EQ(value(floats, "{1.5,NaN,-Infinity}"), R"([1.5,"NaN","-Infinity"])");

  ValueConverter bytea(array_of(type(oid::kBytea, "bytea"), 1001), -1, opts());
  EXPECT_EQ(
      schema(bytea),
      R"({"type":"array","items":{"type":"bytes","optional":true},"optional":true,"field":"f"})");
  EXPECT_EQ(value(bytea, R"({"\\x000102","\\x030405"})"), R"(["AAEC","AwQF"])");
  ConvertOptions hex = opts();
  hex.binary = BinaryMode::hex;
  EXPECT_EQ(value(ValueConverter(array_of(type(oid::kBytea, "bytea"), 1001), -1, hex),
                  R"({"\\x000102","\\x030405"})"),
            R"(["000102","030405"])");

  ValueConverter uuids(array_of(type(oid::kUuid, "uuid"), 2951), -1, opts());
  EXPECT_EQ(value(uuids, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"),
            R"(["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"])");

  ValueConverter hs(array_of(type(77004, "hstore")), -1, opts());
  EXPECT_EQ(value(hs, R"({"\"key4\"=>\"val4\", \"key5\"=>NULL","\"key6\"=>\"val6\""})"),
            R"(["{\"key5\":null,\"key4\":\"val4\"}","{\"key6\":\"val6\"}"])");
}

TEST(ValueConverterArray, EnumItemsAreRequired) {
  ValueConverter c(array_of(enum_type("mood", {"sad", "happy"})), -1, opts());
  EXPECT_EQ(schema(c),
            R"({"type":"array","items":{"type":"string","optional":false,)"
            R"("name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"sad,happy"}},)"
            R"("optional":true,"field":"f"})");
  EXPECT_EQ(value(c, "{sad,happy}"), R"(["sad","happy"])");
}

TEST(ValueConverterArray, UnsupportedElementTypes) {
  EXPECT_FALSE(ValueConverter(array_of(type(oid::kMoney, "money")), -1, opts()).supported());
  EXPECT_FALSE(ValueConverter(array_of(type(oid::kName, "name")), -1, opts()).supported());
  EXPECT_FALSE(ValueConverter(array_of(type(oid::kInterval, "interval")), -1, opts()).supported());
  EXPECT_FALSE(ValueConverter(array_of(type(oid::kVarbit, "varbit")), -1, opts()).supported());
  EXPECT_FALSE(ValueConverter(array_of(type(oid::kXml, "xml")), -1, opts()).supported());
  EXPECT_FALSE(ValueConverter(array_of(type(oid::kPoint, "point")), -1, opts()).supported());
  EXPECT_FALSE(ValueConverter(array_of(type(oid::kBit, "bit")), 3, opts()).supported());
  EXPECT_FALSE(ValueConverter(array_of(type(3220, "pg_lsn")), -1, opts()).supported());
  EXPECT_FALSE(ValueConverter(array_of(type(90003, "my_composite", 'c')), -1, opts()).supported());
  EXPECT_FALSE(ValueConverter(array_of(type(603, "box")), -1, opts()).supported());
  EXPECT_TRUE(ValueConverter(array_of(type(77001, "citext")), -1, opts()).supported());
  EXPECT_TRUE(ValueConverter(array_of(type(oid::kChar, "char")), -1, opts()).supported());
}

TEST(ValueConverterArray, GenericPathItemsAreRequired) {
  ValueConverter ts(array_of(type(3614, "tsvector"), 3643), -1, opts());
  EXPECT_EQ(schema(ts),
            R"({"type":"array","items":{"type":"string","optional":false,)"
            R"("name":"io.debezium.data.Tsvector","version":1},"optional":true,"field":"f"})");
  ValueConverter vec(array_of(type(77005, "vector")), -1, opts());
  EXPECT_EQ(schema(vec),
            R"({"type":"array","items":{"type":"array","items":{"type":"double","optional":false},)"
            R"("optional":false,"name":"io.debezium.data.DoubleVector","version":1},)"
            R"("optional":true,"field":"f"})");
  EXPECT_EQ(value(vec, R"({"[1,2]","[3,4]"})"), "[[1.0,2.0],[3.0,4.0]]");
}

// ---------------------------------------------------------------------------------------------
// Defaults

TEST(ValueConverterDefault, RenderedIntoTheFieldSchema) {
  ValueConverter c(type(oid::kInt4, "int4"), -1, opts());
  auto d = c.default_value("nextval('t_id_seq'::regclass)");
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, "0");
  EXPECT_EQ(schema(c, false, &*d), R"({"type":"int32","optional":false,"default":0,"field":"f"})");
  ValueConverter e(enum_type("mood", {"a", "b"}), -1, opts());
  std::string ed = R"("b")";
  EXPECT_EQ(schema(e, true, &ed),
            R"({"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,)"
            R"("parameters":{"allowed":"a,b"},"default":"b","field":"f"})");
}

TEST(ValueConverterDefault, Integers) {
  ValueConverter i4(type(oid::kInt4, "int4"), -1, opts());
  EXPECT_EQ(def(i4, "42"), "42");
  EXPECT_EQ(def(i4, "'-1'::integer"), "-1");
  EXPECT_EQ(def(i4, " 7 "), "7");
  EXPECT_FALSE(i4.default_value("NULL::integer"));
  EXPECT_FALSE(i4.default_value("(1 + 2)"));
  EXPECT_FALSE(i4.default_value("'3000000000'::integer"));
  ValueConverter i2(type(oid::kInt2, "int2"), -1, opts());
  EXPECT_EQ(def(i2, "'-32768'::smallint"), "-32768");
  EXPECT_FALSE(i2.default_value("40000"));
  ValueConverter i8(type(oid::kInt8, "int8"), -1, opts());
  EXPECT_EQ(def(i8, "'9223372036854775807'::bigint"), "9223372036854775807");
  EXPECT_EQ(def(i8, "nextval('big_seq'::regclass)"), "0");
  // oid has no default mapper in Debezium
  EXPECT_FALSE(ValueConverter(type(oid::kOid, "oid"), -1, opts()).default_value("0"));
}

TEST(ValueConverterDefault, BooleansAndStrings) {
  ValueConverter b(type(oid::kBool, "bool"), -1, opts());
  EXPECT_EQ(def(b, "true"), "true");
  EXPECT_EQ(def(b, "false"), "false");
  EXPECT_EQ(def(b, "random() > 0.5"), "false");
  EXPECT_FALSE(b.default_value("NULL::boolean"));

  ValueConverter vc(type(oid::kVarchar, "varchar"), 14, opts());
  EXPECT_EQ(def(vc, "'abc'::character varying"), R"("abc")");
  EXPECT_EQ(def(vc, "'it''s'::character varying"), R"("it's")");
  EXPECT_EQ(def(vc, "''::character varying"), R"("")");
  EXPECT_FALSE(vc.default_value("NULL::character varying"));
  EXPECT_FALSE(vc.default_value("'abc"));
  ValueConverter text(type(oid::kText, "text"), -1, opts());
  EXPECT_EQ(def(text, "gen_random_uuid()::text"), R"("")");
  ValueConverter bp(type(oid::kBpchar, "bpchar"), 9, opts());
  EXPECT_EQ(def(bp, "'ab'::bpchar"), R"("ab")");
  ValueConverter js(type(oid::kJsonb, "jsonb"), -1, opts());
  EXPECT_EQ(def(js, "'{\"a\": 1}'::jsonb"), R"("{\"a\": 1}")");
  EXPECT_EQ(def(js, "jsonb_build_object()"), R"("{}")");
  ValueConverter x(type(oid::kXml, "xml"), -1, opts());
  EXPECT_EQ(def(x, "'<foo>bar</foo>'::xml"), R"("<foo>bar</foo>")");
  ValueConverter u(type(oid::kUuid, "uuid"), -1, opts());
  EXPECT_EQ(def(u, "'76019D1A-AD2E-4B22-96E9-1A6D6543C818'::uuid"),
            R"("76019d1a-ad2e-4b22-96e9-1a6d6543c818")");
  EXPECT_EQ(def(u, "gen_random_uuid()"), R"("00000000-0000-0000-0000-000000000000")");
  ValueConverter e(enum_type("mood", {"sad", "happy"}), -1, opts());
  EXPECT_EQ(def(e, "'happy'::mood"), R"("happy")");
  EXPECT_EQ(def(e, "'happy'::public.mood"), R"("happy")");
  EXPECT_FALSE(e.default_value("'happy'::other"));
}

TEST(ValueConverterDefault, TypesWithoutMapperHaveNoDefault) {
  EXPECT_FALSE(
      ValueConverter(type(oid::kBytea, "bytea"), -1, opts()).default_value("'\\x01'::bytea"));
  EXPECT_FALSE(
      ValueConverter(type(oid::kMoney, "money"), -1, opts()).default_value("'$1.00'::money"));
  EXPECT_FALSE(ValueConverter(type(oid::kName, "name"), -1, opts()).default_value("'x'::name"));
  EXPECT_FALSE(
      ValueConverter(type(oid::kInet, "inet"), -1, opts()).default_value("'1.2.3.4'::inet"));
  EXPECT_FALSE(ValueConverter(type(oid::kTimetz, "timetz"), -1, opts()).default_value("now()"));
  EXPECT_FALSE(ValueConverter(array_of(type(oid::kInt4, "int4")), -1, opts())
                   .default_value("'{}'::integer[]"));
  EXPECT_FALSE(ValueConverter(type(77001, "citext"), -1, opts()).default_value("'x'::citext"));
}

TEST(ValueConverterDefault, Numbers) {
  ValueConverter fixed(type(oid::kNumeric, "numeric"), numeric_typmod(10, 2), opts());
  EXPECT_EQ(def(fixed, "0"), R"("AA==")");
  EXPECT_EQ(def(fixed, "1.5"), R"("AJY=")");
  EXPECT_EQ(def(fixed, "'-1.00'::numeric"), R"("nA==")");
  EXPECT_FALSE(fixed.default_value("1.234"));  // setScale(2) would need rounding
  EXPECT_FALSE(fixed.default_value("'NaN'::numeric"));
  // A VariableScaleDecimal struct cannot be a default (KAFKA-12694).
  EXPECT_FALSE(ValueConverter(type(oid::kNumeric, "numeric"), -1, opts()).default_value("1.5"));

  ConvertOptions s = opts();
  s.decimal = DecimalMode::string;
  EXPECT_EQ(def(ValueConverter(type(oid::kNumeric, "numeric"), -1, s), "'12345.67891'::numeric"),
            R"("12345.67891")");
  EXPECT_EQ(def(ValueConverter(type(oid::kNumeric, "numeric"), numeric_typmod(10, 2), s), "1.5"),
            R"("1.50")");
  ConvertOptions d = opts();
  d.decimal = DecimalMode::double_;
  EXPECT_EQ(def(ValueConverter(type(oid::kNumeric, "numeric"), -1, d), "1.5"), "1.5");
  // new BigDecimal("1e-5") is 0.00001: the exponent reaches past the digits.
  EXPECT_EQ(def(ValueConverter(type(oid::kNumeric, "numeric"), numeric_typmod(10, 5), opts()),
                "('1e-5'::text)::numeric"),
            R"("AQ==")");
  EXPECT_EQ(def(ValueConverter(type(oid::kNumeric, "numeric"), -1, s), "('1e-5'::text)::numeric"),
            R"("0.00001")");
  EXPECT_EQ(
      def(ValueConverter(type(oid::kNumeric, "numeric"), -1, d), "('-1.5E-3'::text)::numeric"),
      "-0.0015");

  EXPECT_EQ(def(ValueConverter(type(oid::kFloat8, "float8"), -1, opts()), "1.5"), "1.5");
  EXPECT_EQ(
      def(ValueConverter(type(oid::kFloat8, "float8"), -1, opts()), "'NaN'::double precision"),
      R"("NaN")");
  EXPECT_EQ(def(ValueConverter(type(oid::kFloat4, "float4"), -1, opts()), "'1.1'::real"), "1.1");
}

TEST(ValueConverterDefault, Temporal) {
  ValueConverter date(type(oid::kDate, "date"), -1, opts());
  EXPECT_EQ(def(date, "'2020-01-01'::date"), "18262");
  EXPECT_EQ(def(date, "CURRENT_DATE"), "0");
  ValueConverter ts(type(oid::kTimestamp, "timestamp"), -1, opts());
  EXPECT_EQ(def(ts, "now()"), "0");
  EXPECT_EQ(def(ts, "'2020-01-01 10:00:00'::timestamp without time zone"), "1577872800000000");
  EXPECT_EQ(def(ts, "CURRENT_TIMESTAMP"), "0");
  ValueConverter ts3(type(oid::kTimestamp, "timestamp"), 3, opts());
  EXPECT_EQ(def(ts3, "'2020-01-01 10:00:00'::timestamp without time zone"), "1577872800000");
  ValueConverter tz(type(oid::kTimestamptz, "timestamptz"), -1, opts());
  EXPECT_EQ(def(tz, "now()"), R"("1970-01-01T00:00:00.000000Z")");
  EXPECT_EQ(def(tz, "'2020-01-01 12:00:00+02'::timestamp with time zone"),
            R"("2020-01-01T10:00:00.000000Z")");
  EXPECT_FALSE(tz.default_value("'infinity'::timestamp with time zone"));
  ValueConverter t(type(oid::kTime, "time"), -1, opts());
  EXPECT_EQ(def(t, "'12:34:56'::time without time zone"), "45296000000");
  EXPECT_EQ(def(t, "LOCALTIME"), "0");
  ValueConverter iv(type(oid::kInterval, "interval"), -1, opts());
  EXPECT_EQ(def(iv, "'1 day'::interval"), "86400000000");
  EXPECT_EQ(def(iv, "'P1D'::interval"), "86400000000");
  EXPECT_EQ(def(iv, "'1 year 2 mons 3 days 04:05:06.78'::interval"), "37091106780000");
  ConvertOptions so = opts();
  so.interval = IntervalMode::string;
  EXPECT_EQ(def(ValueConverter(type(oid::kInterval, "interval"), -1, so),
                "'-1 days +02:03:04'::interval"),
            R"("P0Y0M-1DT2H3M4S")");
}

TEST(ValueConverterDefault, Bits) {
  EXPECT_EQ(def(ValueConverter(type(oid::kBit, "bit"), 1, opts()), "B'1'::\"bit\""), "true");
  EXPECT_EQ(def(ValueConverter(type(oid::kBit, "bit"), 3, opts()), "B'101'::\"bit\""), R"("BQ==")");
  EXPECT_EQ(def(ValueConverter(type(oid::kVarbit, "varbit"), -1, opts()), "B'110'::\"bit\""),
            R"("Bg==")");
}

// ---------------------------------------------------------------------------------------------
// Unchanged TOAST placeholders

TEST(ValueConverterUnavailable, ShapedToTheColumnType) {
  EXPECT_EQ(unavailable(ValueConverter(type(oid::kText, "text"), -1, opts())),
            R"("__debezium_unavailable_value")");
  EXPECT_EQ(unavailable(ValueConverter(type(oid::kJsonb, "jsonb"), -1, opts())),
            R"("__debezium_unavailable_value")");
  EXPECT_EQ(unavailable(ValueConverter(type(oid::kBytea, "bytea"), -1, opts())),
            R"("X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==")");
  ConvertOptions hex = opts();
  hex.binary = BinaryMode::hex;
  EXPECT_EQ(unavailable(ValueConverter(type(oid::kBytea, "bytea"), -1, hex)),
            R"("__debezium_unavailable_value")");
  ConvertOptions b64 = opts();
  b64.binary = BinaryMode::base64;
  EXPECT_EQ(unavailable(ValueConverter(type(oid::kBytea, "bytea"), -1, b64)), "null");

  EXPECT_EQ(unavailable(ValueConverter(array_of(type(oid::kText, "text")), -1, opts())),
            R"(["__debezium_unavailable_value"])");
  EXPECT_EQ(unavailable(ValueConverter(array_of(type(oid::kBytea, "bytea")), -1, opts())),
            R"(["X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ=="])");
  EXPECT_EQ(unavailable(ValueConverter(array_of(type(oid::kInt4, "int4")), -1, opts()), "ab"),
            "[97,98]");
  EXPECT_EQ(unavailable(ValueConverter(array_of(type(oid::kInt8, "int8")), -1, opts()), "\x80z"),
            "[-128,122]");
  EXPECT_EQ(unavailable(ValueConverter(array_of(type(oid::kUuid, "uuid")), -1, opts())),
            R"(["b68a35a7-17ad-35b3-af2a-ae46edb4545a"])");
  EXPECT_EQ(unavailable(ValueConverter(type(77004, "hstore"), -1, opts()), "ph"),
            R"("{\"ph\":\"ph\"}")");
  ConvertOptions map = opts();
  map.hstore = HstoreMode::map;
  EXPECT_EQ(unavailable(ValueConverter(type(77004, "hstore"), -1, map), "ph"), R"({"ph":"ph"})");
}

}  // namespace
}  // namespace sluice::cdc
