// The capture's durable position, kept beside the output file (FILE.pos). It is the commit
// point: output bytes past output_size were never confirmed to PostgreSQL and are cut on restart,
// and PostgreSQL sends them again.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "core/lsn.h"

namespace sluice::cdc {

struct Position {
  uint64_t output_size = 0;  // bytes of the output that this position covers
  Lsn resume_lsn = 0;        // end of the last transaction (or message) wholly in the output
  Lsn last_commit_lsn = 0;   // for source.sequence of the next transaction
  bool has_partial = false;  // a transaction was part-written when this was saved
  uint32_t partial_xid = 0;
  uint64_t partial_count = 0;  // records of that transaction already in the output
  // The last transaction wholly written, for Debezium-style offsets (topics only; FILE.pos
  // does not keep them).
  uint32_t last_xid = 0;
  int64_t last_commit_us = 0;
  // An incremental snapshot in progress (incremental_snapshot.h's JSON; empty: none).
  std::string incremental;
};

// Two alternating checksummed slots, so a torn write never loses the previous position.
// Version 1 files (64-byte slots, no incremental snapshot state) are still read.
class PositionStore {
 public:
  explicit PositionStore(const std::string& path);
  ~PositionStore();
  PositionStore(const PositionStore&) = delete;
  PositionStore& operator=(const PositionStore&) = delete;

  std::optional<Position> load();
  void save(const Position& p);  // durable when it returns

 private:
  int fd_ = -1;
  uint64_t seq_ = 0;
  std::string path_;
};

}  // namespace sluice::cdc
