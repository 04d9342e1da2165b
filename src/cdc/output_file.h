// Where capture writes its records: a file (written and fsynced in groups, so the position can
// be confirmed to PostgreSQL) or standard output.
#pragma once
#include <cstdint>
#include <string>

namespace sluice::cdc {

class OutputFile {
 public:
  // path "-" or empty means standard output.
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  bool is_file() const { return is_file_; }
  const std::string& path() const { return path_; }
  std::string& buffer() { return buffer_; }
  // Bytes in the file so far, buffered bytes included.
  uint64_t size() const { return written_ + buffer_.size(); }
  uint64_t written() const { return written_; }
  // Cuts the file to `size` bytes (records past the durable position).
  void truncate(uint64_t size);
  // Writes the buffer out.
  void write();
  // Writes the buffer out and makes it durable (fdatasync for files).
  void sync();

 private:
  std::string path_;
  bool is_file_ = false;
  int fd_ = 1;
  uint64_t written_ = 0;
  std::string buffer_;
};

}  // namespace sluice::cdc
