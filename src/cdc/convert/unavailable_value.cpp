// ValueConverter::append_unavailable: Debezium's UnchangedToastedPlaceholder, which puts the
// placeholder through the column's converter and so shapes it to the type.
#include "cdc/convert/name_uuid.h"
#include "cdc/convert/pg_bytes_text.h"
#include "cdc/convert/pg_composite_text.h"
#include "cdc/convert/value_kind.h"
#include "core/json_writer.h"

namespace sluice::cdc {
namespace {

namespace oid = pg::oid;

// An array holding the placeholder as its one element, for the element types Debezium has a
// placeholder for; other arrays get the bare placeholder string.
void append_unavailable_array(std::string& out, uint32_t element_oid, BinaryMode binary,
                              std::string_view placeholder) {
  const uint32_t e = element_oid;
  if (e == oid::kText || e == oid::kVarchar || e == oid::kBpchar || e == oid::kJson ||
      e == oid::kJsonb) {
    out += '[';
    json::append_string(out, placeholder);
    out += ']';
    return;
  }
  if (e == oid::kBytea) {
    out += '[';
    switch (binary) {
      case BinaryMode::bytes:
      case BinaryMode::base64:
        convert::append_quoted_base64(out, placeholder);
        break;
      case BinaryMode::base64_url_safe:
        convert::append_quoted_base64(out, placeholder, true);
        break;
      case BinaryMode::hex:
        convert::append_quoted_hex(out, placeholder);
        break;
    }
    out += ']';
    return;
  }
  if (e == oid::kInt4 || e == oid::kDate || e == oid::kInt8) {
    // The placeholder's bytes as numbers.
    out += '[';
    for (size_t i = 0; i < placeholder.size(); ++i) {
      if (i) out += ',';
      json::append_int(out, int64_t(int8_t(placeholder[i])));  // Java bytes are signed
    }
    out += ']';
    return;
  }
  if (e == oid::kUuid) {
    out += '[';
    json::append_string(out, convert::name_uuid_from_bytes(placeholder));
    out += ']';
    return;
  }
  json::append_string(out, placeholder);
}

}  // namespace

void ValueConverter::append_unavailable(std::string& out, std::string_view placeholder) const {
  switch (kind_) {
    case Kind::bytea:
      switch (options_.binary) {
        case BinaryMode::bytes:
          convert::append_quoted_base64(out, placeholder);
          return;
        case BinaryMode::hex:
          json::append_string(out, placeholder);
          return;
        default:
          // convertBinaryToBase64 has no case for the marker and delivers null.
          out += "null";
          return;
      }
    case Kind::hstore_json:
    case Kind::hstore_map: {
      // A one-entry map from the placeholder to itself.
      std::string obj = "{";
      json::append_string(obj, placeholder);
      obj += ':';
      json::append_string(obj, placeholder);
      obj += '}';
      if (kind_ == Kind::hstore_json)
        json::append_string(out, obj);
      else
        out += obj;
      return;
    }
    case Kind::array:
      append_unavailable_array(out, type_.element->oid, options_.binary, placeholder);
      return;
    default:
      json::append_string(out, placeholder);
      return;
  }
}

}  // namespace sluice::cdc
