#include "kafka/server/fetch_waiters.h"

namespace sluice::kafka {

void FetchWaiters::park(int64_t max_wait_ms, std::function<bool(bool)> try_complete) {
  auto w = std::make_shared<Waiter>();
  w->try_complete = std::move(try_complete);
  waiters_.push_back(w);
  w->timer = scheduler_.after(max_wait_ms, [this, w] {
    if (w->done) return;
    w->done = true;
    w->try_complete(true);
    waiters_.remove(w);
  });
}

void FetchWaiters::wake() {
  if (wake_posted_.exchange(true)) return;
  scheduler_.post([this] {
    wake_posted_ = false;
    recheck();
  });
}

void FetchWaiters::recheck() {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    auto w = *it;
    if (!w->done && w->try_complete(false)) {
      w->done = true;
      scheduler_.cancel(w->timer);
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace sluice::kafka
