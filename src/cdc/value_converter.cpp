// Value conversion follows Debezium's PostgresValueConverter as it handles pgoutput's text values
// (ReplicationMessageColumnValueResolver, JdbcValueConverters), and the JSON forms follow Kafka
// Connect's JsonConverter serialized by Jackson. The text readers and writers live in
// cdc/convert/, as do column defaults and unchanged-TOAST placeholders.
#include "cdc/value_converter.h"

#include <algorithm>

#include "cdc/convert/java_number.h"
#include "cdc/convert/pg_bytes_text.h"
#include "cdc/convert/pg_composite_text.h"
#include "cdc/convert/pg_interval_text.h"
#include "cdc/convert/pg_numeric_text.h"
#include "cdc/convert/pg_time_text.h"
#include "cdc/convert/text_scan.h"
#include "cdc/convert/value_kind.h"
#include "core/json_writer.h"

namespace sluice::cdc {
namespace {

namespace oid = pg::oid;
constexpr uint32_t kMacaddr8 = 774, kTsvector = 3614, kBitArrayElem = 1560, kRefcursor = 1790;

}  // namespace

ValueConverter::ValueConverter(const pg::TypeInfo& type, int32_t typmod,
                               const ConvertOptions& options)
    : kind_(Kind::text), typmod_(typmod), options_(options), type_(type) {
  const bool connect = options.time == TimePrecisionMode::connect;
  const int time_precision = typmod < 0 ? 6 : typmod;
  if (type.element) {
    kind_ = Kind::array;
    auto element = std::make_shared<ValueConverter>(*type.element, typmod, options);
    element->in_array_ = true;
    const uint32_t e = type.element->oid;
    // PostgresValueConverter has no schema for these arrays (DBZ-459), nor for arrays of types it
    // cannot map, and bit[] gets a scalar schema with array values; Debezium leaves them out.
    bool ok = element->kind_ != Kind::text && element->kind_ != Kind::array && e != oid::kMoney &&
              e != oid::kName && e != oid::kInterval && e != oid::kVarbit && e != oid::kXml &&
              e != oid::kPoint && e != kBitArrayElem && e != kRefcursor;
    // Enum arrays use the element schema as built (required), and so does the generic array path
    // taken by element types without an explicit array case (tsvector, isbn, pgvector).
    items_optional_ = element->kind_ != Kind::enumeration && element->kind_ != Kind::tsvector &&
                      element->kind_ != Kind::double_vector &&
                      element->kind_ != Kind::float_vector && type.element->name != "isbn";
    supported_ = ok;
    element_ = std::move(element);
    return;
  }
  if (type.typtype == 'e') {
    kind_ = Kind::enumeration;
    for (size_t i = 0; i < type.enum_labels.size(); ++i) {
      if (i) allowed_ += ',';
      allowed_ += type.enum_labels[i];
    }
    return;
  }
  switch (type.oid) {
    case oid::kBool:
      kind_ = Kind::boolean;
      break;
    case oid::kBytea:
      kind_ = Kind::bytea;
      break;
    case oid::kChar:
    case oid::kName:
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kInet:
    case oid::kCidr:
    case oid::kMacaddr:
    case kMacaddr8:
    case oid::kInt4range:
    case oid::kNumrange:
    case oid::kTsrange:
    case oid::kTstzrange:
    case oid::kDaterange:
    case oid::kInt8range:
      kind_ = Kind::string;
      break;
    case oid::kInt2:
      kind_ = Kind::int16;
      break;
    case oid::kInt4:
      kind_ = Kind::int32;
      break;
    case oid::kInt8:
    case oid::kOid:
      kind_ = Kind::int64;
      break;
    case oid::kFloat4:
      kind_ = Kind::float32;
      break;
    case oid::kFloat8:
      kind_ = Kind::float64;
      break;
    case oid::kJson:
    case oid::kJsonb:
      kind_ = Kind::json;
      break;
    case oid::kXml:
      kind_ = Kind::xml;
      break;
    case oid::kUuid:
      kind_ = Kind::uuid;
      break;
    case kTsvector:
      kind_ = Kind::tsvector;
      break;
    case oid::kPoint:
      kind_ = Kind::point;
      break;
    case oid::kNumeric:
      if (typmod >= 4) {
        precision_ = ((typmod - 4) >> 16) & 0xffff;
        scale_ = (typmod - 4) & 0xffff;
      }
      switch (options.decimal) {
        case DecimalMode::precise:
          kind_ = typmod >= 4 ? Kind::decimal_fixed : Kind::decimal_variable;
          break;
        case DecimalMode::string:
          kind_ = Kind::decimal_string;
          break;
        case DecimalMode::double_:
          kind_ = Kind::decimal_double;
          break;
      }
      break;
    case oid::kMoney:
      scale_ = options.money_fraction_digits;
      kind_ = options.decimal == DecimalMode::precise  ? Kind::money_decimal
              : options.decimal == DecimalMode::string ? Kind::money_string
                                                       : Kind::money_double;
      break;
    case oid::kDate:
      kind_ = Kind::date;
      break;
    case oid::kTime:
      precision_ = time_precision;
      kind_ = options.time == TimePrecisionMode::adaptive_time_microseconds ? Kind::time_micros
              : connect || time_precision <= 3                              ? Kind::time_millis
                                                                            : Kind::time_micros;
      break;
    case oid::kTimestamp:
      precision_ = time_precision;
      kind_ = connect || time_precision <= 3 ? Kind::timestamp_millis : Kind::timestamp_micros;
      break;
    case oid::kTimestamptz:
      precision_ = time_precision;
      kind_ = Kind::timestamptz;
      break;
    case oid::kTimetz:
      precision_ = time_precision;
      kind_ = Kind::timetz;
      break;
    case oid::kInterval:
      kind_ =
          options.interval == IntervalMode::numeric ? Kind::interval_micros : Kind::interval_string;
      break;
    case oid::kBit:
    case oid::kVarbit:
      // pgjdbc reports the declared length; an unconstrained varbit is Integer.MAX_VALUE.
      bits_length_ = typmod < 0 ? (type.oid == oid::kBit ? 1 : 2147483647) : typmod;
      kind_ = bits_length_ > 1 ? Kind::bits : Kind::bit_bool;
      break;
    default:
      if (type.name == "citext" || type.name == "isbn")
        kind_ = Kind::string;
      else if (type.name == "hstore")
        kind_ = options.hstore == HstoreMode::json ? Kind::hstore_json : Kind::hstore_map;
      else if (type.name == "ltree")
        kind_ = Kind::ltree;
      else if (type.name == "vector")
        kind_ = Kind::double_vector;
      else if (type.name == "halfvec")
        kind_ = Kind::float_vector;
      break;
  }
  // Types without a Debezium converter (pg_lsn, tsquery, composites, box, custom ranges,
  // multiranges, PostGIS, …) stay Kind::text. Debezium drops them (or sends bytes under
  // include.unknown.datatypes); we keep them as PostgreSQL's text form, a plain string.
}

// ---------------------------------------------------------------------------------------------
// Schemas.

void ValueConverter::append_schema_open(std::string& out, bool optional) const {
  auto open = [&](const char* type) {
    out += "{\"type\":\"";
    out += type;
    out += '"';
  };
  auto opt = [&] { out += optional ? ",\"optional\":true" : ",\"optional\":false"; };
  auto name = [&](const char* n) {
    out += ",\"name\":\"";
    out += n;
    out += "\",\"version\":1";
  };
  switch (kind_) {
    case Kind::boolean:
    case Kind::bit_bool:
      open("boolean"), opt();
      break;
    case Kind::int16:
      open("int16"), opt();
      break;
    case Kind::int32:
      open("int32"), opt();
      break;
    case Kind::int64:
      open("int64"), opt();
      break;
    case Kind::float32:
      open("float"), opt();
      break;
    case Kind::float64:
    case Kind::decimal_double:
    case Kind::money_double:
      open("double"), opt();
      break;
    case Kind::decimal_fixed:
      open("bytes"), opt();
      name("org.apache.kafka.connect.data.Decimal");
      out += ",\"parameters\":{\"scale\":\"";
      json::append_int(out, scale_);
      out += "\",\"connect.decimal.precision\":\"";
      json::append_int(out, precision_);
      out += "\"}";
      break;
    case Kind::money_decimal:
      open("bytes"), opt();
      name("org.apache.kafka.connect.data.Decimal");
      out += ",\"parameters\":{\"scale\":\"";
      json::append_int(out, scale_);
      out += "\"}";
      break;
    case Kind::decimal_variable:
      open("struct");
      out +=
          ",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"scale\"},"
          "{\"type\":\"bytes\",\"optional\":false,\"field\":\"value\"}]";
      opt();
      name("io.debezium.data.VariableScaleDecimal");
      out += ",\"doc\":\"Variable scaled decimal\"";
      break;
    case Kind::text:
    case Kind::decimal_string:
    case Kind::money_string:
    case Kind::string:
      open("string"), opt();
      break;
    case Kind::json:
    case Kind::hstore_json:
      open("string"), opt(), name("io.debezium.data.Json");
      break;
    case Kind::xml:
      open("string"), opt(), name("io.debezium.data.Xml");
      break;
    case Kind::uuid:
      open("string"), opt(), name("io.debezium.data.Uuid");
      break;
    case Kind::ltree:
      open("string"), opt(), name("io.debezium.data.Ltree");
      break;
    case Kind::tsvector:
      open("string"), opt(), name("io.debezium.data.Tsvector");
      break;
    case Kind::enumeration:
      open("string"), opt(), name("io.debezium.data.Enum");
      out += ",\"parameters\":{\"allowed\":";
      json::append_string(out, allowed_);
      out += '}';
      break;
    case Kind::bytea:
      open(options_.binary == BinaryMode::bytes ? "bytes" : "string"), opt();
      break;
    case Kind::date:
      open("int32"), opt();
      name(options_.time == TimePrecisionMode::connect ? "org.apache.kafka.connect.data.Date"
                                                       : "io.debezium.time.Date");
      break;
    case Kind::time_millis:
      open("int32"), opt();
      name(options_.time == TimePrecisionMode::connect ? "org.apache.kafka.connect.data.Time"
                                                       : "io.debezium.time.Time");
      break;
    case Kind::time_micros:
      open("int64"), opt(), name("io.debezium.time.MicroTime");
      break;
    case Kind::timestamp_millis:
      open("int64"), opt();
      name(options_.time == TimePrecisionMode::connect ? "org.apache.kafka.connect.data.Timestamp"
                                                       : "io.debezium.time.Timestamp");
      break;
    case Kind::timestamp_micros:
      open("int64"), opt(), name("io.debezium.time.MicroTimestamp");
      break;
    case Kind::timestamptz:
      open("string"), opt(), name("io.debezium.time.ZonedTimestamp");
      break;
    case Kind::timetz:
      open("string"), opt(), name("io.debezium.time.ZonedTime");
      break;
    case Kind::interval_micros:
      open("int64"), opt(), name("io.debezium.time.MicroDuration");
      break;
    case Kind::interval_string:
      open("string"), opt(), name("io.debezium.time.Interval");
      break;
    case Kind::bits:
      open("bytes"), opt(), name("io.debezium.data.Bits");
      out += ",\"parameters\":{\"length\":\"";
      json::append_int(out, bits_length_);
      out += "\"}";
      break;
    case Kind::hstore_map:
      open("map");
      out +=
          ",\"keys\":{\"type\":\"string\",\"optional\":false},"
          "\"values\":{\"type\":\"string\",\"optional\":true}";
      opt();
      break;
    case Kind::point:
      open("struct");
      out +=
          ",\"fields\":[{\"type\":\"double\",\"optional\":false,\"field\":\"x\"},"
          "{\"type\":\"double\",\"optional\":false,\"field\":\"y\"},"
          "{\"type\":\"bytes\",\"optional\":true,\"field\":\"wkb\"},"
          "{\"type\":\"int32\",\"optional\":true,\"field\":\"srid\"}]";
      opt();
      name("io.debezium.data.geometry.Point");
      out += ",\"doc\":\"Geometry (POINT)\"";
      break;
    case Kind::double_vector:
      open("array");
      out += ",\"items\":{\"type\":\"double\",\"optional\":false}";
      opt(), name("io.debezium.data.DoubleVector");
      break;
    case Kind::float_vector:
      open("array");
      out += ",\"items\":{\"type\":\"float\",\"optional\":false}";
      opt(), name("io.debezium.data.FloatVector");
      break;
    case Kind::array:
      open("array");
      out += ",\"items\":";
      element_->append_schema_open(out, items_optional_);
      out += '}';
      opt();
      break;
  }
}

void ValueConverter::append_field_schema(std::string& out, std::string_view field, bool optional,
                                         const std::string* default_json) const {
  append_schema_open(out, optional);
  if (default_json) {
    out += ",\"default\":";
    out += *default_json;
  }
  out += ",\"field\":";
  json::append_string(out, field);
  out += '}';
}

// ---------------------------------------------------------------------------------------------
// Values.

bool ValueConverter::append_value(std::string& out, std::string_view text) const {
  const size_t mark = out.size();
  if (append_value_impl(out, text)) return true;
  out.resize(mark);
  return false;
}

bool ValueConverter::append_value_impl(std::string& out, std::string_view text) const {
  switch (kind_) {
    case Kind::boolean:
      // PgOutputColumnValue.asBoolean: "t" (any case) is true, anything else false.
      out += (text.size() == 1 && (text[0] == 't' || text[0] == 'T')) ? "true" : "false";
      return true;

    case Kind::bit_bool: {
      // Integer.valueOf(bits, 2) != 0
      if (text.empty()) return false;
      bool any = false;
      for (char c : text) {
        if (c != '0' && c != '1') return false;
        any |= c == '1';
      }
      out += any ? "true" : "false";
      return true;
    }

    case Kind::int16:
    case Kind::int32:
    case Kind::int64: {
      // int2out/int4out/int8out/oidout text is already the JSON number.
      size_t i = (!text.empty() && text[0] == '-') ? 1 : 0;
      if (i == text.size() || text.size() > 20) return false;
      for (size_t k = i; k < text.size(); ++k)
        if (!convert::is_digit(text[k])) return false;
      out.append(text);
      return true;
    }

    case Kind::float32: {
      float f;
      if (!convert::parse_float(text, f)) return false;
      convert::append_java_number(out, f);
      return true;
    }

    case Kind::float64:
    case Kind::decimal_double: {
      double d;
      if (!convert::parse_double(text, d)) return false;
      convert::append_java_number(out, d);
      return true;
    }

    case Kind::decimal_fixed:
    case Kind::decimal_variable:
      return convert::append_numeric(out, text, kind_ == Kind::decimal_variable, scale_);

    case Kind::decimal_string:
      return convert::append_numeric_string(out, text);

    case Kind::money_decimal:
    case Kind::money_string:
    case Kind::money_double:
      return convert::append_money(out, text, options_.decimal, scale_);

    case Kind::text:
    case Kind::string:
    case Kind::json:
    case Kind::xml:
    case Kind::uuid:
    case Kind::ltree:
    case Kind::tsvector:
    case Kind::enumeration:
      json::append_string(out, text);
      return true;

    case Kind::bytea:
      return convert::append_bytea(out, text, options_.binary);

    case Kind::date:
      return convert::append_date(out, text);

    case Kind::time_millis:
    case Kind::time_micros:
      // pgjdbc decodes time[] elements into java.sql.Time, which keeps milliseconds only.
      return convert::append_time(out, text, kind_ == Kind::time_millis, in_array_);

    case Kind::timestamp_millis:
    case Kind::timestamp_micros:
      return convert::append_timestamp(out, text, kind_ == Kind::timestamp_millis);

    case Kind::timestamptz:
      // ZonedTimestamp: the column's precision as the fraction width (scale 6 when unset).
      return convert::append_timestamptz(out, text, precision_);

    case Kind::timetz:
      return convert::append_timetz(out, text);

    case Kind::interval_micros:
    case Kind::interval_string: {
      // IntervalStyle=iso_8601; other styles are read as PGInterval would, as a fallback.
      convert::IntervalParts p;
      bool ok = !text.empty() && text[0] == 'P'
                    ? convert::parse_iso_interval(text, p)
                    : std::any_of(text.begin(), text.end(), convert::is_digit) &&
                          convert::parse_verbose_interval(text, p);
      if (!ok) return false;
      convert::append_interval(out, p, kind_ == Kind::interval_micros);
      return true;
    }

    case Kind::bits:
      return convert::append_bits(out, text);

    case Kind::hstore_json:
    case Kind::hstore_map:
      return convert::append_hstore(out, text, kind_ == Kind::hstore_map);

    case Kind::point:
      return convert::append_point(out, text);

    case Kind::double_vector:
    case Kind::float_vector:
      return convert::append_vector(out, text, kind_ == Kind::float_vector);

    case Kind::array:
      return convert::append_array_literal(
          out, text, [this](std::string& o, std::string_view item) {
            // Elements of unmapped types stay unread, as before such types became strings (their
            // arrays are unsupported, and box[] literals do not even split on ',').
            return element_->kind_ != Kind::text && element_->append_value_impl(o, item);
          });
  }
  return false;
}

}  // namespace sluice::cdc
