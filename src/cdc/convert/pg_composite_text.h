// Values whose text form holds several parts: array literals, hstore, point and pgvector.
#pragma once
#include <functional>
#include <string>
#include <string_view>

namespace sluice::cdc::convert {

// Appends the JSON of one array element given its text, unquoted and unescaped.
using ElementWriter = std::function<bool(std::string& out, std::string_view item)>;

// A PostgreSQL array literal ("{1,NULL,3}", "{{a,b},{c,d}}", "[0:1]={5,6}") as a JSON array,
// nested levels as nested arrays; NULL elements become null.
bool append_array_literal(std::string& out, std::string_view text, const ElementWriter& element);

// hstore text as a Connect map (as_map) or as Json text of the same object.
bool append_hstore(std::string& out, std::string_view text, bool as_map);

// point "(x,y)" as io.debezium.data.geometry.Point.
bool append_point(std::string& out, std::string_view text);

// pgvector text "[1,2.5]" as DoubleVector, or FloatVector when single_precision.
bool append_vector(std::string& out, std::string_view text, bool single_precision);

}  // namespace sluice::cdc::convert
