// Log compaction (cleanup.policy=compact), as Kafka's cleaner does it: of the records of each key
// only the one with the latest offset stays, and tombstones (null values) go once they are older
// than delete.retention.ms. Offsets never change: a batch that loses records is rewritten as one
// batch per run of consecutive kept offsets, so every batch stays gap-free (lastOffsetDelta =
// count - 1, which check_batch and read_records require) and the gaps lie between batches.
#pragma once
#include <climits>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sluice::log {

class Segment;

struct CompactionStats {
  size_t segments_cleaned = 0;  // that lost records: rewritten, or removed
  size_t segments_removed = 0;  // of those, left empty and so deleted
  int64_t records_removed = 0;
  int64_t tombstones_removed = 0;  // expired tombstones, included in records_removed
  uint64_t bytes_before = 0;       // of the segments cleaned
  uint64_t bytes_after = 0;
};

// Looks keys up by string_view without copying them.
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
};
// Key -> offset of its latest record.
using OffsetMap = std::unordered_map<std::string, int64_t, KeyHash, std::equal_to<>>;

// Records the keys of every data batch of seg (control batches carry no user keys; a batch that
// cannot be decoded is skipped, and kept whole by clean_segment).
void add_keys(const Segment& seg, OffsetMap& latest);

struct CleanRules {
  int64_t start_offset = 0;                  // records below the log start go too
  int64_t tombstone_horizon_ms = INT64_MIN;  // tombstones in batches with max timestamp below go
};

struct CleanedSegment {
  bool changed = false;  // false: nothing to remove, and no file was written
  std::string path;      // the cleaned file (seg.path() + ".cleaned"), synced
  uint64_t size = 0;
  int64_t oldest_tombstone_ts = INT64_MAX;  // max timestamp of the oldest batch keeping one
};

// Writes what seg keeps under latest and rules to a new file beside it; the caller renames it
// over the segment. Throws std::runtime_error (having removed the partial file) on I/O errors.
CleanedSegment clean_segment(const Segment& seg, const OffsetMap& latest, const CleanRules& rules,
                             CompactionStats& stats);

// The name a cleaned segment has until it replaces the original; leftovers are deleted on open.
constexpr const char* kCleanedSuffix = ".cleaned";

}  // namespace sluice::log
