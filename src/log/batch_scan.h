// Walking a partition's batches and keyed records in offset order, for the in-process readers
// of compacted topics (connector positions, connector configs and statuses).
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/big_endian.h"
#include "kafka/compression.h"
#include "kafka/record_batch.h"
#include "log/topic_store.h"

namespace sluice::log {

inline constexpr size_t kScanChunk = 1 << 20;

// Calls fn(header, batch) for every batch of p from the one holding offset `from` up to the
// end offset seen at the call (or up to `until` when given). Batches were checked on append.
template <typename Fn>
void for_each_batch(const Partition& p, int64_t from, Fn&& fn, int64_t until = -1) {
  int64_t off = std::max(from, p.start_offset());
  int64_t end = until >= 0 ? std::min(until, p.end_offset()) : p.end_offset();
  while (off < end) {
    std::string chunk = p.read(off, kScanChunk);
    if (chunk.empty()) return;
    int64_t before = off;
    size_t pos = 0;
    while (pos + kafka::kBatchHeaderSize <= chunk.size() && off < end) {
      size_t total = size_t(get_be<int32_t>(chunk.data() + pos + 8)) + 12;
      if (total > chunk.size() - pos) break;
      std::string_view batch(chunk.data() + pos, total);
      auto check = kafka::check_batch(batch, /*verify_crc=*/false);
      if (!check.ok())
        throw std::runtime_error(
            fmt::format("{}-{} at offset {}: {}", p.topic(), p.id(), off, check.error));
      fn(check.header, batch);
      off = std::max(off, check.header.base_offset + check.header.last_offset_delta + 1);
      pos += total;
    }
    if (off == before) return;  // no progress: never loop
  }
}

// Calls fn(key, value) for every keyed record of p, oldest first (compressed batches inflated,
// transaction markers skipped); value is nullopt for a tombstone.
template <typename Fn>
void for_each_keyed_record(const Partition& p, Fn&& fn) {
  std::string scratch;
  std::vector<kafka::Record> records;
  for_each_batch(p, 0, [&](const kafka::BatchHeader& h, std::string_view batch) {
    if (h.control()) return;
    records.clear();
    std::string e = kafka::read_any_records(batch, scratch, records);
    if (!e.empty()) throw std::runtime_error(fmt::format("{}-{}: {}", p.topic(), p.id(), e));
    for (const auto& r : records)
      if (r.key) fn(*r.key, r.value);
  });
}

// The value of key's last record in p: what a compacted topic keeps for it (nullopt: none,
// or a tombstone).
inline std::optional<std::string> last_value(const Partition& p, std::string_view key) {
  std::optional<std::string> last;
  for_each_keyed_record(p, [&](std::string_view k, std::optional<std::string_view> v) {
    if (k == key) last = v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
  });
  return last;
}

}  // namespace sluice::log
