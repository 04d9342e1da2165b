#include "log/producer_ids.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

#include "core/fs_sync.h"

namespace sluice::log {

namespace {
constexpr int64_t kBlock = 1000;
}

ProducerIds::ProducerIds(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  int64_t end = 0;
  if (in >> end && end > 0) next_ = reserved_end_ = end;
}

int64_t ProducerIds::next() {
  std::lock_guard lock(mu_);
  if (next_ >= reserved_end_) reserve();
  return next_++;
}

void ProducerIds::reserve() {
  int64_t end = reserved_end_ + kBlock;
  std::string tmp = path_ + ".tmp", text = std::to_string(end) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok =
      fd >= 0 && ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path_.c_str()) != 0)
    throw std::runtime_error(
        fmt::format("cannot save producer ids in {}: {}", path_, std::strerror(errno)));
  sync_parent_directory(path_);
  reserved_end_ = end;
}

}  // namespace sluice::log
