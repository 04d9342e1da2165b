#include "cdc/output_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/fs_sync.h"

namespace sluice::cdc {

OutputFile::OutputFile(const std::string& path) : path_(path) {
  if (path.empty() || path == "-") return;
  is_file_ = true;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error(fmt::format("cannot open output {}: {}", path, std::strerror(errno)));
  struct stat st {};
  fstat(fd_, &st);
  written_ = uint64_t(st.st_size);
  sync_parent_directory(path);
}

OutputFile::~OutputFile() {
  if (is_file_ && fd_ >= 0) ::close(fd_);
}

void OutputFile::truncate(uint64_t size) {
  if (!is_file_ || size >= written_) return;
  if (ftruncate(fd_, off_t(size)) != 0 || fsync(fd_) != 0)
    throw std::runtime_error(fmt::format("cannot truncate {}: {}", path_, std::strerror(errno)));
  written_ = size;
}

void OutputFile::write_all(std::string_view data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(
          fmt::format("cannot write {}: {}", is_file_ ? path_ : "stdout", std::strerror(errno)));
    }
    p += n;
    left -= size_t(n);
    written_ += uint64_t(n);
  }
}

void OutputFile::sync() {
  if (is_file_ && fdatasync(fd_) != 0)
    throw std::runtime_error(fmt::format("cannot sync {}: {}", path_, std::strerror(errno)));
}

}  // namespace sluice::cdc
