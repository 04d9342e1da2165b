// Which tables a snapshot reads and how: the captured tables of the publication (those the
// include/exclude lists keep), each with the Relation message pgoutput would send for it and
// its size, so that a large table can be split into ctid ranges.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cdc/connector_config.h"
#include "cdc/table_schema.h"
#include "pg/catalog.h"
#include "pg/connection.h"

namespace sluice::cdc {

struct SnapshotTable {
  pg::RelationMessage rel;  // columns in pgoutput's order: the COPY's select list
  std::shared_ptr<TableSchema> schema;
  bool partitioned = false;     // a partition root (publish_via_partition_root): no ctid ranges
  uint64_t pages = 0;           // current size in blocks
  int64_t estimated_rows = -1;  // pg_class.reltuples; -1 when never analysed
  std::string name() const { return rel.schema + "." + rel.table; }
};

// The publication's captured tables, in name order.
std::vector<SnapshotTable> snapshot_tables(pg::Connection& conn, pg::Catalog& catalog,
                                           const ConnectorConfig& config);
// One table by its schema-qualified name, or nothing when it is not in the publication or not
// captured.
std::vector<SnapshotTable> snapshot_tables_matching(pg::Connection& conn, pg::Catalog& catalog,
                                                    const ConnectorConfig& config,
                                                    const RegexList& names);

// SELECT list of every replicated column, quoted.
std::string select_list(const pg::Connection& conn, const pg::RelationMessage& rel);
std::string qualified_name(const pg::Connection& conn, const pg::RelationMessage& rel);

}  // namespace sluice::cdc
