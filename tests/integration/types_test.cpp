// Every PostgreSQL type the capture maps, through real pgoutput text, in each handling mode.
#include <fmt/format.h>

#include <fstream>

#include "harness.h"

namespace sluice::test {
namespace {

class Types : public CaptureTest {
 protected:
  void SetUp() override {
    CaptureTest::SetUp();
    sql("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');"
        "CREATE TABLE all_types (id int PRIMARY KEY, c_int2 smallint, c_int4 int, c_int8 bigint,"
        " c_num numeric(10,2), c_numv numeric, c_f4 real, c_f8 double precision, c_bool boolean,"
        " c_text text, c_varchar varchar(10), c_char char(5), c_bytea bytea, c_uuid uuid,"
        " c_json json, c_jsonb jsonb, c_date date, c_time time, c_time3 time(3), c_timetz timetz,"
        " c_ts timestamp, c_ts3 timestamp(3), c_tstz timestamptz, c_interval interval,"
        " c_money money, c_enum mood, c_int_arr int[], c_text_arr text[], c_inet inet,"
        " c_lsn pg_lsn, c_null text)");
    for (const char* m : {"dflt", "alt1", "alt2", "alt3"})
      create_slot(fmt::format("{}_{}", slot_name(), m));
    sql("INSERT INTO all_types VALUES (1, -32768, 2147483647, 9007199254740993, 100.00, 3.14159,"
        " 1.5, -2.25, true, 'h\u00e9llo \"q\"', 'abc', 'ab', '\\x0102ff',"
        " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": 1}', '{\"b\":2}', '2024-01-02',"
        " '12:34:56.789', '01:02:03.456', '10:15:30+02', '2024-02-27 10:00:00.123456',"
        " '2024-02-27 10:00:00.5', '2024-02-27 10:00:00.5+00', '1 year 2 mons 3 days 04:05:06.78',"
        " 12.34, 'happy', '{1,2,NULL}', '{\"a b\",c}', '192.168.0.1', '0/16B3748', NULL)");
  }
  // Captures the one insert under the given modes; returns the record.
  rapidjson::Document capture_mode(const std::string& mode, const std::string& extra) {
    std::string path = dir + "/" + mode + ".json";
    std::ofstream(path) << config_json(extra, fmt::format("{}_{}", slot_name(), mode));
    auto recs = capture(path, 1, dir + "/" + mode + ".jsonl");
    EXPECT_EQ(recs.size(), 1u);
    rapidjson::Document d;
    if (!recs.empty()) d.CopyFrom(recs[0], d.GetAllocator());
    return d;
  }
  static std::string field_schema(const rapidjson::Document& r, const std::string& name) {
    for (const auto& f : r["value"]["schema"]["fields"][1]["fields"].GetArray())
      if (name == f["field"].GetString()) return to_json(f);
    return "";
  }
};

TEST_F(Types, DefaultModes) {
  auto r = capture_mode("dflt", "");
  ASSERT_TRUE(r.IsObject());
  const auto& a = r["value"]["payload"]["after"];
  EXPECT_EQ(a["c_int2"].GetInt(), -32768);
  EXPECT_EQ(a["c_int4"].GetInt(), 2147483647);
  EXPECT_EQ(a["c_int8"].GetInt64(), 9007199254740993LL);
  EXPECT_STREQ(a["c_num"].GetString(), "JxA=");                      // 10000 unscaled, big-endian
  EXPECT_EQ(to_json(a["c_numv"]), R"({"scale":5,"value":"BMsv"})");  // 314159
  EXPECT_DOUBLE_EQ(a["c_f4"].GetDouble(), 1.5);
  EXPECT_DOUBLE_EQ(a["c_f8"].GetDouble(), -2.25);
  EXPECT_TRUE(a["c_bool"].GetBool());
  EXPECT_STREQ(a["c_text"].GetString(), "h\u00e9llo \"q\"");
  EXPECT_STREQ(a["c_varchar"].GetString(), "abc");
  EXPECT_STREQ(a["c_char"].GetString(), "ab   ");
  EXPECT_STREQ(a["c_bytea"].GetString(), "AQL/");
  EXPECT_STREQ(a["c_uuid"].GetString(), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_STREQ(a["c_json"].GetString(), "{\"a\": 1}");
  EXPECT_STREQ(a["c_jsonb"].GetString(), "{\"b\": 2}");
  EXPECT_EQ(a["c_date"].GetInt(), 19724);
  EXPECT_EQ(a["c_time"].GetInt64(), 45296789000LL);  // µs (MicroTime)
  EXPECT_EQ(a["c_time3"].GetInt(), 3723456);         // ms (Time)
  EXPECT_STREQ(a["c_timetz"].GetString(), "08:15:30Z");
  EXPECT_EQ(a["c_ts"].GetInt64(), 1709028000123456LL);
  EXPECT_EQ(a["c_ts3"].GetInt64(), 1709028000500LL);
  EXPECT_STREQ(a["c_tstz"].GetString(), "2024-02-27T10:00:00.500000Z");
  EXPECT_EQ(a["c_interval"].GetInt64(), 37091106780000LL);
  EXPECT_STREQ(a["c_money"].GetString(), "BNI=");  // 1234
  EXPECT_STREQ(a["c_enum"].GetString(), "happy");
  EXPECT_EQ(to_json(a["c_int_arr"]), "[1,2,null]");
  EXPECT_EQ(to_json(a["c_text_arr"]), R"(["a b","c"])");
  EXPECT_STREQ(a["c_inet"].GetString(), "192.168.0.1");
  EXPECT_STREQ(a["c_lsn"].GetString(), "0/16B3748") << "other types: their text form";
  EXPECT_TRUE(a["c_null"].IsNull());

  EXPECT_EQ(
      field_schema(r, "c_num"),
      R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"c_num"})");
  EXPECT_NE(field_schema(r, "c_numv").find("io.debezium.data.VariableScaleDecimal"),
            std::string::npos);
  EXPECT_NE(
      field_schema(r, "c_enum")
          .find(
              R"("name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"sad,ok,happy"})"),
      std::string::npos);
  EXPECT_NE(field_schema(r, "c_date")
                .find(R"("type":"int32","optional":true,"name":"io.debezium.time.Date")"),
            std::string::npos);
  EXPECT_NE(field_schema(r, "c_time").find("io.debezium.time.MicroTime"), std::string::npos);
  EXPECT_NE(field_schema(r, "c_time3").find("\"io.debezium.time.Time\""), std::string::npos);
  EXPECT_NE(field_schema(r, "c_ts").find("io.debezium.time.MicroTimestamp"), std::string::npos);
  EXPECT_NE(field_schema(r, "c_ts3").find("\"io.debezium.time.Timestamp\""), std::string::npos);
  EXPECT_NE(field_schema(r, "c_tstz").find("io.debezium.time.ZonedTimestamp"), std::string::npos);
  EXPECT_NE(field_schema(r, "c_timetz").find("io.debezium.time.ZonedTime"), std::string::npos);
  EXPECT_NE(field_schema(r, "c_interval").find("io.debezium.time.MicroDuration"),
            std::string::npos);
  EXPECT_NE(field_schema(r, "c_uuid").find("io.debezium.data.Uuid"), std::string::npos);
  EXPECT_NE(field_schema(r, "c_jsonb").find("io.debezium.data.Json"), std::string::npos);
  EXPECT_EQ(
      field_schema(r, "c_int_arr"),
      R"({"type":"array","items":{"type":"int32","optional":true},"optional":true,"field":"c_int_arr"})");
  EXPECT_EQ(field_schema(r, "c_f4"), R"({"type":"float","optional":true,"field":"c_f4"})");
  EXPECT_EQ(field_schema(r, "c_int2"), R"({"type":"int16","optional":true,"field":"c_int2"})");
}

TEST_F(Types, StringDecimalsConnectTimesBase64Bytes) {
  auto r =
      capture_mode("alt1", R"("decimal.handling.mode":"string","time.precision.mode":"connect",)"
                           R"("binary.handling.mode":"base64","interval.handling.mode":"string")");
  ASSERT_TRUE(r.IsObject());
  const auto& a = r["value"]["payload"]["after"];
  EXPECT_STREQ(a["c_num"].GetString(), "100.00");
  EXPECT_STREQ(a["c_numv"].GetString(), "3.14159");
  EXPECT_STREQ(a["c_money"].GetString(), "12.34");
  EXPECT_EQ(a["c_time"].GetInt(), 45296789);  // ms
  EXPECT_EQ(a["c_ts"].GetInt64(), 1709028000123LL);
  EXPECT_EQ(a["c_date"].GetInt(), 19724);
  EXPECT_STREQ(a["c_bytea"].GetString(), "AQL/");
  EXPECT_STREQ(a["c_interval"].GetString(), "P1Y2M3DT4H5M6.78S");
  EXPECT_NE(field_schema(r, "c_num").find(R"({"type":"string","optional":true,"field":"c_num"})"),
            std::string::npos);
  EXPECT_NE(field_schema(r, "c_time").find("org.apache.kafka.connect.data.Time"),
            std::string::npos);
  EXPECT_NE(field_schema(r, "c_ts").find("org.apache.kafka.connect.data.Timestamp"),
            std::string::npos);
  EXPECT_NE(field_schema(r, "c_date").find("org.apache.kafka.connect.data.Date"),
            std::string::npos);
  EXPECT_NE(field_schema(r, "c_interval").find("io.debezium.time.Interval"), std::string::npos);
  EXPECT_EQ(field_schema(r, "c_bytea"), R"({"type":"string","optional":true,"field":"c_bytea"})");
}

TEST_F(Types, DoubleDecimalsMicroTimesHexBytes) {
  auto r = capture_mode("alt2", R"("decimal.handling.mode":"double",)"
                                R"("time.precision.mode":"adaptive_time_microseconds",)"
                                R"("binary.handling.mode":"hex")");
  ASSERT_TRUE(r.IsObject());
  const auto& a = r["value"]["payload"]["after"];
  EXPECT_DOUBLE_EQ(a["c_num"].GetDouble(), 100.0);
  EXPECT_DOUBLE_EQ(a["c_numv"].GetDouble(), 3.14159);
  EXPECT_DOUBLE_EQ(a["c_money"].GetDouble(), 12.34);
  EXPECT_EQ(a["c_time3"].GetInt64(), 3723456000LL);   // always µs
  EXPECT_EQ(a["c_ts3"].GetInt64(), 1709028000500LL);  // timestamps keep adaptive
  EXPECT_STREQ(a["c_bytea"].GetString(), "0102ff");
  EXPECT_EQ(field_schema(r, "c_num"), R"({"type":"double","optional":true,"field":"c_num"})");
}

TEST_F(Types, UrlSafeBytes) {
  auto r = capture_mode("alt3", R"("binary.handling.mode":"base64-url-safe")");
  ASSERT_TRUE(r.IsObject());
  EXPECT_STREQ(r["value"]["payload"]["after"]["c_bytea"].GetString(), "AQL_");
}

}  // namespace
}  // namespace sluice::test
