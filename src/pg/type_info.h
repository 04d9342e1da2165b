// What the catalog says about a column's type, as the value converters need it.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sluice::pg {

struct TypeInfo {
  uint32_t oid = 0;    // after resolving domains to their base type
  std::string name;    // pg_type.typname of that type, e.g. "int4", "_text", "mood"
  char typtype = 'b';  // b base, e enum, r range, c composite, m multirange
  std::vector<std::string> enum_labels;     // enums, in enumsortorder
  std::shared_ptr<const TypeInfo> element;  // arrays: the element type; null otherwise
};

// Well-known built-in type OIDs (pg_type.dat); stable across PostgreSQL versions.
namespace oid {
constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21,
                   kInt4 = 23, kText = 25, kOid = 26, kJson = 114, kXml = 142, kPoint = 600,
                   kFloat4 = 700, kFloat8 = 701, kMoney = 790, kMacaddr = 829, kInet = 869,
                   kCidr = 650, kBpchar = 1042, kVarchar = 1043, kDate = 1082, kTime = 1083,
                   kTimestamp = 1114, kTimestamptz = 1184, kInterval = 1186, kTimetz = 1266,
                   kBit = 1560, kVarbit = 1562, kNumeric = 1700, kUuid = 2950, kJsonb = 3802,
                   kInt4range = 3904, kNumrange = 3906, kTsrange = 3908, kTstzrange = 3910,
                   kDaterange = 3912, kInt8range = 3926;
}  // namespace oid

}  // namespace sluice::pg
