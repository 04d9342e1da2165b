// Writes and syncs the sink on a thread of its own, so that reading the replication stream never
// waits for the disk (or the network): the reader hands over filled buffers with the position
// they lead to, and the flusher makes them durable in order (several at once when it falls
// behind: group commit), then saves that position. Only a saved position is confirmed to
// PostgreSQL.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cdc/position.h"
#include "cdc/sink.h"

namespace sluice::cdc {

class Flusher {
 public:
  explicit Flusher(Sink& sink);
  ~Flusher();
  Flusher(const Flusher&) = delete;
  Flusher& operator=(const Flusher&) = delete;

  // Takes data (leaving it empty). With sync, the data is made durable and pos saved; without,
  // it is only written (the middle of a large transaction: nothing to confirm yet). Blocks while
  // more than a bound of bytes waits, so memory stays bounded.
  void submit(std::string& data, const Position& pos, bool sync);
  // The latest position made durable, if any. Rethrows an error of the flusher thread.
  std::optional<Position> durable();
  // Waits until everything submitted is written (and durable where asked, position included).
  void drain();
  // True when nothing is queued or being written, or a round waits for more: the moment to
  // hand over the next group.
  bool idle();

 private:
  struct Item {
    std::string data;
    Position pos;
    bool sync;
  };
  void run();

  Sink& sink_;
  std::mutex mu_;
  std::condition_variable work_, done_;
  std::deque<Item> queue_;
  size_t queued_bytes_ = 0;
  bool busy_ = false;
  bool stop_ = false;
  std::optional<Position> durable_;
  std::optional<Position> pending_;  // saved, durable once the sink syncs again
  using Clock = std::chrono::steady_clock;
  const Clock::duration window_;  // the least time between rounds (Sink::sync_window)
  Clock::time_point last_round_{};
  bool collecting_ = false;  // a round waits for more records
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace sluice::cdc
