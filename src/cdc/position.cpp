#include "cdc/position.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/crc32c.h"
#include "core/fs_sync.h"

namespace sluice::cdc {

namespace {
constexpr uint32_t kMagicV1 = 0x534c5031;  // "SLP1": fixed 64-byte slots
constexpr uint32_t kMagic = 0x534c5032;    // "SLP2": Record then `extra` bytes of state
constexpr size_t kSlotV1 = 64;
constexpr size_t kSlot = 16384;

struct Record {
  uint32_t magic;
  uint32_t has_partial;
  uint64_t seq;
  uint64_t output_size;
  uint64_t resume_lsn;
  uint64_t last_commit_lsn;
  uint64_t partial_count;
  uint32_t partial_xid;
  uint32_t crc;  // v1: of the bytes before it; v2: of those, then extra_len and the extra bytes
};
static_assert(sizeof(Record) <= kSlotV1);
// v2 follows Record with the last transaction's xid and time and the incremental state.
struct Extra {
  uint64_t last_commit_us;
  uint32_t last_xid;
  uint32_t state_len;
};
constexpr size_t kMaxState = kSlot - sizeof(Record) - sizeof(Extra);

uint32_t v2_crc(const Record& r, const Extra& e, std::string_view state) {
  uint32_t c = crc32c(&r, offsetof(Record, crc));
  c = crc32c(&e, sizeof e, c);
  return crc32c(state.data(), state.size(), c);
}
}  // namespace

PositionStore::PositionStore(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error(
        fmt::format("cannot open position file {}: {}", path, std::strerror(errno)));
  sync_parent_directory(path);
}

PositionStore::~PositionStore() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<Position> PositionStore::load() {
  std::optional<Position> best;
  uint64_t best_seq = 0;
  auto consider = [&](const Record& r, Position p) {
    if (best && r.seq <= best_seq) return;
    best_seq = r.seq;
    p.output_size = r.output_size;
    p.resume_lsn = r.resume_lsn;
    p.last_commit_lsn = r.last_commit_lsn;
    p.has_partial = r.has_partial != 0;
    p.partial_xid = r.partial_xid;
    p.partial_count = r.partial_count;
    best = std::move(p);
  };
  for (int slot = 0; slot < 2; ++slot) {
    Record r{};
    if (pread(fd_, &r, sizeof r, slot * kSlotV1) == ssize_t(sizeof r) && r.magic == kMagicV1 &&
        r.crc == crc32c(&r, offsetof(Record, crc)))
      consider(r, Position{});
    off_t at = off_t(slot) * off_t(kSlot);
    Extra e{};
    if (pread(fd_, &r, sizeof r, at) != ssize_t(sizeof r) || r.magic != kMagic) continue;
    if (pread(fd_, &e, sizeof e, at + off_t(sizeof r)) != ssize_t(sizeof e)) continue;
    if (e.state_len > kMaxState) continue;
    std::string state(e.state_len, '\0');
    if (pread(fd_, state.data(), state.size(), at + off_t(sizeof r + sizeof e)) !=
        ssize_t(state.size()))
      continue;
    if (r.crc != v2_crc(r, e, state)) continue;
    Position p;
    p.last_commit_us = int64_t(e.last_commit_us);
    p.last_xid = e.last_xid;
    p.incremental = std::move(state);
    consider(r, std::move(p));
  }
  seq_ = best_seq;
  return best;
}

void PositionStore::save(const Position& p) {
  if (p.incremental.size() > kMaxState)
    throw std::runtime_error(
        fmt::format("the incremental snapshot's state ({} bytes) does not fit the position file {}",
                    p.incremental.size(), path_));
  Record r{};
  r.magic = kMagic;
  r.seq = ++seq_;
  r.output_size = p.output_size;
  r.resume_lsn = p.resume_lsn;
  r.last_commit_lsn = p.last_commit_lsn;
  r.has_partial = p.has_partial ? 1 : 0;
  r.partial_xid = p.partial_xid;
  r.partial_count = p.partial_count;
  Extra e{};
  e.last_commit_us = uint64_t(p.last_commit_us);
  e.last_xid = p.last_xid;
  e.state_len = uint32_t(p.incremental.size());
  r.crc = v2_crc(r, e, p.incremental);
  std::string buf(reinterpret_cast<const char*>(&r), sizeof r);
  buf.append(reinterpret_cast<const char*>(&e), sizeof e);
  buf += p.incremental;
  if (pwrite(fd_, buf.data(), buf.size(), off_t(seq_ % 2) * off_t(kSlot)) != ssize_t(buf.size()) ||
      fdatasync(fd_) != 0)
    throw std::runtime_error(
        fmt::format("cannot write position file {}: {}", path_, std::strerror(errno)));
}

}  // namespace sluice::cdc
