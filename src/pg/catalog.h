// Catalog look-ups on a normal (non-replication) connection: what pgoutput's Relation messages
// do not carry — nullability, defaults, primary keys, type details and enum labels.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pg/connection.h"
#include "pg/pgoutput.h"
#include "pg/type_info.h"

namespace sluice::pg {

struct CatalogColumn {
  std::string name;
  bool not_null = false;
  std::optional<std::string> default_expr;  // pg_get_expr of the default, if any
};

struct CatalogTable {
  std::vector<CatalogColumn> columns;
  std::vector<std::string> key_columns;  // primary key, else the replica identity index
};

class Catalog {
 public:
  explicit Catalog(Connection& conn) : conn_(conn) {}
  CatalogTable table(uint32_t relid);
  // The Relation message pgoutput would send for relid now (same columns, same key flags), for
  // reading the table outside the stream (snapshots). Throws Error when the table is gone.
  RelationMessage relation(uint32_t relid);
  // Type info with domains resolved to their base; typmod is updated for domains.
  std::shared_ptr<const TypeInfo> type(uint32_t oid, int32_t& typmod);
  // Forgets cached user-defined types (their enum labels may have changed).
  void invalidate_types();

 private:
  std::shared_ptr<const TypeInfo> load_type(uint32_t oid, int32_t& typmod, int depth);
  Connection& conn_;
  struct Cached {
    std::shared_ptr<const TypeInfo> info;
    int32_t domain_typmod;
  };
  std::map<uint32_t, Cached> types_;
};

}  // namespace sluice::pg
