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
constexpr uint32_t kMagic = 0x534c5031;  // "SLP1"
constexpr size_t kSlot = 64;

struct Record {
  uint32_t magic;
  uint32_t has_partial;
  uint64_t seq;
  uint64_t output_size;
  uint64_t resume_lsn;
  uint64_t last_commit_lsn;
  uint64_t partial_count;
  uint32_t partial_xid;
  uint32_t crc;
};
static_assert(sizeof(Record) <= kSlot);
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
  for (int slot = 0; slot < 2; ++slot) {
    Record r{};
    if (pread(fd_, &r, sizeof r, slot * kSlot) != ssize_t(sizeof r)) continue;
    if (r.magic != kMagic || r.crc != crc32c(&r, offsetof(Record, crc))) continue;
    if (best && r.seq <= best_seq) continue;
    best_seq = r.seq;
    Position p;
    p.output_size = r.output_size;
    p.resume_lsn = r.resume_lsn;
    p.last_commit_lsn = r.last_commit_lsn;
    p.has_partial = r.has_partial != 0;
    p.partial_xid = r.partial_xid;
    p.partial_count = r.partial_count;
    best = p;
  }
  seq_ = best_seq;
  return best;
}

void PositionStore::save(const Position& p) {
  Record r{};
  r.magic = kMagic;
  r.seq = ++seq_;
  r.output_size = p.output_size;
  r.resume_lsn = p.resume_lsn;
  r.last_commit_lsn = p.last_commit_lsn;
  r.has_partial = p.has_partial ? 1 : 0;
  r.partial_xid = p.partial_xid;
  r.partial_count = p.partial_count;
  r.crc = crc32c(&r, offsetof(Record, crc));
  if (pwrite(fd_, &r, sizeof r, off_t(seq_ % 2) * off_t(kSlot)) != ssize_t(sizeof r) ||
      fdatasync(fd_) != 0)
    throw std::runtime_error(
        fmt::format("cannot write position file {}: {}", path_, std::strerror(errno)));
}

}  // namespace sluice::cdc
