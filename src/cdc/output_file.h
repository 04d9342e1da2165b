// Where capture writes its records: a file (fsynced, so the position can be confirmed to
// PostgreSQL) or standard output. Used by one thread at a time (the Flusher's).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

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
  // Bytes in the file so far.
  uint64_t written() const { return written_; }
  // Cuts the file to `size` bytes (records past the durable position).
  void truncate(uint64_t size);
  void write_all(std::string_view data);
  // Makes what was written durable (fdatasync; nothing for standard output).
  void sync();

 private:
  std::string path_;
  bool is_file_ = false;
  int fd_ = 1;
  uint64_t written_ = 0;
};

}  // namespace sluice::cdc
