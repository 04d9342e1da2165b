// Producer ids for idempotent producers, never handed out twice, even across restarts: ids are
// reserved in blocks whose end is saved durably before any id of the block is used.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>

namespace sluice::log {

class ProducerIds {
 public:
  explicit ProducerIds(std::string path);  // path of the file holding the reserved end
  int64_t next();

 private:
  void reserve();
  std::string path_;
  std::mutex mu_;
  int64_t next_ = 0;
  int64_t reserved_end_ = 0;
};

}  // namespace sluice::log
