// A Scheduler whose clock moves only when told to, so tests drive session and rebalance timeouts
// without sleeping. post() may be called from any thread (sync completions); run_posted() runs
// the queued work on the calling thread, which plays the network thread.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

#include "kafka/server/handler.h"

namespace sluice::kafka::group {

class ManualScheduler : public Scheduler {
 public:
  void post(std::function<void()> fn) override {
    std::lock_guard lock(mu_);
    posted_.push_back(std::move(fn));
  }
  TimerId after(int64_t ms, std::function<void()> fn) override {
    TimerId id = ++next_id_;
    timers_[id] = {now_ + ms, std::move(fn)};
    return id;
  }
  void cancel(TimerId id) override { timers_.erase(id); }

  // Moves the clock forward by ms, firing due timers in time order (timers they add included).
  void advance(int64_t ms) {
    const int64_t target = now_ + ms;
    for (;;) {
      auto next = timers_.end();
      for (auto it = timers_.begin(); it != timers_.end(); ++it)
        if (it->second.due <= target &&
            (next == timers_.end() || it->second.due < next->second.due))
          next = it;
      if (next == timers_.end()) break;
      now_ = next->second.due;
      auto fn = std::move(next->second.fn);
      timers_.erase(next);
      fn();
    }
    now_ = target;
  }
  // Runs what post() queued; returns how many ran.
  size_t run_posted() {
    std::deque<std::function<void()>> work;
    {
      std::lock_guard lock(mu_);
      work.swap(posted_);
    }
    for (auto& fn : work) fn();
    return work.size();
  }
  int64_t now() const { return now_; }
  size_t pending_timers() const { return timers_.size(); }

 private:
  struct Timer {
    int64_t due;
    std::function<void()> fn;
  };
  std::mutex mu_;
  std::deque<std::function<void()>> posted_;
  std::map<TimerId, Timer> timers_;  // by id: equal due times fire in creation order
  TimerId next_id_ = 0;
  int64_t now_ = 0;
};

}  // namespace sluice::kafka::group
