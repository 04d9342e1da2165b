// Fetches that found less than their min_bytes wait here until data arrives or their deadline.
// Lives on the network thread; appends from any thread call wake(), which coalesces into one
// re-check of every waiting fetch on the network thread.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <list>

#include "kafka/server/handler.h"

namespace sluice::kafka {

class FetchWaiters {
 public:
  explicit FetchWaiters(Scheduler& s) : scheduler_(s) {}
  // try_complete(final) returns true once it answered; final=true at the deadline, when it
  // must answer with whatever there is. Network thread only.
  void park(int64_t max_wait_ms, std::function<bool(bool final)> try_complete);
  void wake();  // any thread
  size_t waiting() const { return waiters_.size(); }

 private:
  struct Waiter {
    std::function<bool(bool)> try_complete;
    Scheduler::TimerId timer = 0;
    bool done = false;
  };
  void recheck();

  Scheduler& scheduler_;
  std::list<std::shared_ptr<Waiter>> waiters_;
  std::atomic<bool> wake_posted_{false};
};

}  // namespace sluice::kafka
