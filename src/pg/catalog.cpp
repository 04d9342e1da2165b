#include "pg/catalog.h"

#include <fmt/format.h>

namespace sluice::pg {

CatalogTable Catalog::table(uint32_t relid) {
  CatalogTable t;
  std::string id = std::to_string(relid);
  Result cols = conn_.exec_params(
      "SELECT a.attname, a.attnotnull, pg_get_expr(d.adbin, d.adrelid) "
      "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
      "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
      {id});
  for (int i = 0; i < cols.rows(); ++i) {
    CatalogColumn c;
    c.name = cols.str(i, 0);
    c.not_null = cols.get(i, 1) == "t";
    if (!cols.is_null(i, 2)) c.default_expr = cols.str(i, 2);
    t.columns.push_back(std::move(c));
  }
  // The primary key; a replica identity index stands in when there is none.
  Result keys = conn_.exec_params(
      "SELECT a.attname FROM (SELECT indrelid, indkey FROM pg_index WHERE indrelid = $1::oid "
      "AND (indisprimary OR indisreplident) ORDER BY indisprimary DESC LIMIT 1) i "
      "CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
      "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord",
      {id});
  for (int i = 0; i < keys.rows(); ++i) t.key_columns.push_back(keys.str(i, 0));
  return t;
}

RelationMessage Catalog::relation(uint32_t relid) {
  std::string id = std::to_string(relid);
  Result rel = conn_.exec_params(
      "SELECT n.nspname, c.relname, c.relreplident FROM pg_class c JOIN pg_namespace n ON "
      "n.oid = c.relnamespace WHERE c.oid = $1::oid",
      {id});
  if (rel.rows() != 1) throw Error(fmt::format("table {} no longer exists", relid));
  RelationMessage m;
  m.oid = relid;
  m.schema = rel.str(0, 0);
  m.table = rel.str(0, 1);
  m.replica_identity = rel.get(0, 2).empty() ? 'd' : rel.get(0, 2)[0];
  // pgoutput's key flags: the primary key (identity default), the identity index, or every
  // column (identity full). Generated columns are not replicated (PostgreSQL 15-17).
  Result cols = conn_.exec_params(
      "SELECT a.attname, a.atttypid, a.atttypmod, CASE c.relreplident WHEN 'f' THEN true "
      "WHEN 'n' THEN false ELSE EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND "
      "(CASE c.relreplident WHEN 'i' THEN i.indisreplident ELSE i.indisprimary END) AND a.attnum "
      "= ANY (i.indkey::int2[])) END FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
      "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = "
      "'' ORDER BY a.attnum",
      {id});
  for (int i = 0; i < cols.rows(); ++i) {
    RelationColumn c;
    c.name = cols.str(i, 0);
    c.type_oid = uint32_t(std::stoul(cols.str(i, 1)));
    c.typmod = std::stoi(cols.str(i, 2));
    c.is_key = cols.get(i, 3) == "t";
    m.columns.push_back(std::move(c));
  }
  return m;
}

std::shared_ptr<const TypeInfo> Catalog::type(uint32_t oid, int32_t& typmod) {
  auto it = types_.find(oid);
  if (it != types_.end()) {
    if (typmod < 0) typmod = it->second.domain_typmod;
    return it->second.info;
  }
  int32_t domain_typmod = -1;
  auto info = load_type(oid, domain_typmod, 0);
  types_[oid] = {info, domain_typmod};
  if (typmod < 0) typmod = domain_typmod;
  return info;
}

std::shared_ptr<const TypeInfo> Catalog::load_type(uint32_t oid, int32_t& typmod, int depth) {
  if (depth > 16) throw Error(fmt::format("type {} nests too deeply", oid));
  Result r = conn_.exec_params(
      "SELECT typname, typtype, typbasetype, typtypmod, typelem, typcategory "
      "FROM pg_type WHERE oid = $1::oid",
      {std::to_string(oid)});
  auto info = std::make_shared<TypeInfo>();
  info->oid = oid;
  if (r.rows() == 0) {
    info->name = "unknown";
    return info;
  }
  char typtype = r.get(0, 1).empty() ? 'b' : r.get(0, 1)[0];
  if (typtype == 'd') {
    uint32_t base = uint32_t(std::stoul(r.str(0, 2)));
    int32_t base_typmod = std::stoi(r.str(0, 3));
    auto resolved = load_type(base, typmod, depth + 1);
    if (typmod < 0) typmod = base_typmod;
    return resolved;
  }
  info->name = r.str(0, 0);
  info->typtype = typtype;
  uint32_t elem = uint32_t(std::stoul(r.str(0, 4)));
  if (r.get(0, 5) == "A" && elem != 0) {
    int32_t elem_typmod = -1;
    info->element = load_type(elem, elem_typmod, depth + 1);
  }
  if (typtype == 'e') {
    Result labels = conn_.exec_params(
        "SELECT enumlabel FROM pg_enum WHERE enumtypid = $1::oid ORDER BY enumsortorder",
        {std::to_string(oid)});
    for (int i = 0; i < labels.rows(); ++i) info->enum_labels.push_back(labels.str(i, 0));
  }
  return info;
}

void Catalog::invalidate_types() {
  for (auto it = types_.begin(); it != types_.end();) {
    if (it->first >= 16384)
      it = types_.erase(it);
    else
      ++it;
  }
}

}  // namespace sluice::pg
