#include "cdc/snapshot_tables.h"

namespace sluice::cdc {

namespace {

std::vector<SnapshotTable> load(pg::Connection& conn, pg::Catalog& catalog,
                                const ConnectorConfig& config, const RegexList* names) {
  auto r = conn.exec_params(
      "SELECT c.oid, n.nspname, c.relname, c.relkind, "
      "pg_relation_size(c.oid) / current_setting('block_size')::int8, c.reltuples::int8 "
      "FROM pg_publication_tables p JOIN pg_namespace n ON n.nspname = p.schemaname "
      "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.tablename "
      "WHERE p.pubname = $1 ORDER BY 2, 3",
      {config.publication_name});
  std::vector<SnapshotTable> out;
  for (int i = 0; i < r.rows(); ++i) {
    std::string schema = r.str(i, 1), table = r.str(i, 2);
    if (!config.table_included(schema, table)) continue;
    if (names && !names->matches(schema + "." + table)) continue;
    uint32_t oid = uint32_t(std::stoul(r.str(i, 0)));
    SnapshotTable t;
    t.rel = catalog.relation(oid);
    t.schema = build_table_schema(t.rel, catalog.table(oid), catalog, config);
    t.partitioned = r.get(i, 3) == "p";
    t.pages = r.is_null(i, 4) ? 0 : std::stoull(r.str(i, 4));
    t.estimated_rows = std::stoll(r.str(i, 5));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

std::vector<SnapshotTable> snapshot_tables(pg::Connection& conn, pg::Catalog& catalog,
                                           const ConnectorConfig& config) {
  return load(conn, catalog, config, nullptr);
}

std::vector<SnapshotTable> snapshot_tables_matching(pg::Connection& conn, pg::Catalog& catalog,
                                                    const ConnectorConfig& config,
                                                    const RegexList& names) {
  return load(conn, catalog, config, &names);
}

std::string select_list(const pg::Connection& conn, const pg::RelationMessage& rel) {
  std::string s;
  for (const auto& c : rel.columns) {
    if (!s.empty()) s += ", ";
    s += conn.quote_ident(c.name);
  }
  return s;  // empty for a table without columns: SELECT FROM t is valid
}

std::string qualified_name(const pg::Connection& conn, const pg::RelationMessage& rel) {
  return conn.quote_ident(rel.schema) + "." + conn.quote_ident(rel.table);
}

}  // namespace sluice::cdc
