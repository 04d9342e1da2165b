// COPY ... TO STDOUT text format: one row per line, columns split by tabs, \N for NULL and
// backslash escapes. The values are the types' output functions, as in pgoutput's text tuples,
// so a row parsed here goes through the same converters as a streamed change.
#pragma once
#include <string>
#include <string_view>

#include "pg/pgoutput.h"

namespace sluice::pg {

// Splits one COPY text row (with or without its trailing newline) into row. Values without
// escapes are views into line; unescaped ones are kept in scratch (both must outlive row).
// Returns false when the line is malformed (a dangling backslash).
bool parse_copy_text_row(std::string_view line, Tuple& row, std::string& scratch);

}  // namespace sluice::pg
