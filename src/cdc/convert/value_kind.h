// ValueConverter's private Kind, shared by the files that implement ValueConverter. Each kind is
// one Connect schema and value form; the constructor picks it from the type and the options.
#pragma once
#include <cstdint>

#include "cdc/value_converter.h"

namespace sluice::cdc {

enum class ValueConverter::Kind : uint8_t {
  text,  // no Debezium mapping (pg_lsn, tsquery, composites, …): PostgreSQL's text form
  boolean,
  bit_bool,  // bit(1), varbit(1)
  int16,
  int32,
  int64,
  float32,
  float64,
  decimal_fixed,     // numeric(p,s), precise
  decimal_variable,  // numeric, precise: io.debezium.data.VariableScaleDecimal
  decimal_string,
  decimal_double,
  money_decimal,
  money_string,
  money_double,
  string,
  json,
  xml,
  uuid,
  ltree,
  tsvector,
  enumeration,
  bytea,
  date,
  time_millis,
  time_micros,
  timestamp_millis,
  timestamp_micros,
  timestamptz,
  timetz,
  interval_micros,
  interval_string,
  bits,
  hstore_json,
  hstore_map,
  point,
  double_vector,
  float_vector,
  array,
};

}  // namespace sluice::cdc
