// Turns PostgreSQL's text output of one column into the JSON that Kafka Connect's JsonConverter
// writes for the value Debezium would produce, and describes the column's Connect schema.
//
// The replication session runs with DateStyle=ISO, IntervalStyle=iso_8601, TimeZone=UTC,
// extra_float_digits=3, bytea_output=hex and lc_monetary=C, so the text forms are fixed.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cdc/convert_options.h"
#include "pg/type_info.h"

namespace sluice::cdc {

class ValueConverter {
 public:
  ValueConverter(const pg::TypeInfo& type, int32_t typmod, const ConvertOptions& options);

  // False for arrays Debezium has no schema for (money[], interval[], xml[], pg_lsn[], …), which
  // are left out of events. Scalar types without a Debezium mapping are kept as their text form.
  bool supported() const { return supported_; }

  // Appends one field of a struct schema, in JsonConverter's key order:
  // {"type":…,["items":{…}|"fields":[…]],"optional":…,["name","version","parameters"],
  //  ["default"],"field":…}. default_json is a JSON value already rendered, or null.
  void append_field_schema(std::string& out, std::string_view field, bool optional,
                           const std::string* default_json) const;

  // Appends the JSON value for the column's PostgreSQL text output. Returns false and appends
  // nothing when the text cannot be read as this type (the caller then writes the text).
  bool append_value(std::string& out, std::string_view text) const;

  // The JSON value Debezium puts in the schema's "default" for a column default expression
  // (pg_get_expr text such as "'abc'::character varying", "42", "nextval('s'::regclass)").
  std::optional<std::string> default_value(std::string_view expr) const;

  // Appends the unchanged-TOAST placeholder shaped to this type (text: the string; bytea: its
  // bytes; arrays: a one-element array; ...).
  void append_unavailable(std::string& out, std::string_view placeholder) const;

 private:
  enum class Kind : uint8_t;  // defined in cdc/convert/value_kind.h

  // Appends {"type":… up to the optional/name/version/doc/parameters keys, without "default",
  // "field" or the closing brace.
  void append_schema_open(std::string& out, bool optional) const;
  bool append_value_impl(std::string& out, std::string_view text) const;
  bool append_default_impl(std::string& out, std::string_view expr) const;

  Kind kind_;
  bool supported_ = true;
  bool in_array_ = false;       // element of an array column (pgjdbc decodes those differently)
  bool items_optional_ = true;  // arrays: whether the items schema is optional
  int32_t typmod_;
  int precision_ = 0;  // numeric precision; time/timestamp fractional precision
  int scale_ = 0;      // numeric scale; money fraction digits
  int64_t bits_length_ = 0;
  ConvertOptions options_;
  pg::TypeInfo type_;
  std::string allowed_;  // enums: labels joined by ','
  std::shared_ptr<const ValueConverter> element_;
};

}  // namespace sluice::cdc
