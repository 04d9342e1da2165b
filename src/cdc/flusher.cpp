#include "cdc/flusher.h"

#include <chrono>

namespace sluice::cdc {

namespace {
constexpr size_t kMaxQueuedBytes = 64 << 20;
// How long a position saved for the sink's next sync waits for more records to share it.
constexpr auto kPipelineWait = std::chrono::milliseconds(1);
}  // namespace

Flusher::Flusher(Sink& sink) : sink_(sink), thread_([this] { run(); }) {}

Flusher::~Flusher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_.notify_all();
  thread_.join();
}

void Flusher::submit(std::string& data, const Position& pos, bool sync) {
  std::unique_lock lock(mu_);
  done_.wait(lock, [&] { return queued_bytes_ < kMaxQueuedBytes || error_; });
  if (error_) std::rethrow_exception(error_);
  queued_bytes_ += data.size();
  queue_.push_back({std::move(data), pos, sync});
  data.clear();
  lock.unlock();
  work_.notify_one();
}

std::optional<Position> Flusher::durable() {
  std::lock_guard lock(mu_);
  if (error_) std::rethrow_exception(error_);
  return durable_;
}

void Flusher::drain() {
  std::unique_lock lock(mu_);
  done_.wait(lock, [&] { return (queue_.empty() && !busy_ && !pending_) || error_; });
  if (error_) std::rethrow_exception(error_);
}

bool Flusher::idle() {
  std::lock_guard lock(mu_);
  return queue_.empty() && !busy_;
}

void Flusher::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_.wait(lock, [&] { return stop_ || !queue_.empty() || pending_; });
    if (queue_.empty() && pending_ && !stop_) {
      // A saved position waits for the sink's next sync: give the reader a moment to hand over
      // more records, so that one sync makes both durable.
      work_.wait_for(lock, kPipelineWait, [&] { return stop_ || !queue_.empty(); });
    }
    if (queue_.empty() && !pending_ && stop_) return;
    std::deque<Item> batch;
    batch.swap(queue_);
    std::optional<Position> pending = pending_;
    busy_ = true;
    lock.unlock();
    try {
      bool sync = pending.has_value();
      size_t bytes = 0;
      for (auto& item : batch) {
        sink_.write(item.data);
        sync = sync || item.sync;
        bytes += item.data.size();
      }
      std::optional<Position> durable = pending, saved;
      if (sync) {
        sink_.sync();  // also makes the position saved last time durable
        // The last item's position describes the output after the whole batch. It is saved
        // only once the records are durable, never in the same sync: writeback could
        // otherwise make the position durable before the records it covers.
        bool synced_item = false;
        for (const auto& item : batch) synced_item = synced_item || item.sync;
        if (synced_item) {
          Position p = batch.back().pos;
          if (sink_.save(p))
            durable = p;
          else
            saved = p;
        }
      }
      lock.lock();
      if (sync) {
        if (durable) durable_ = durable;
        pending_ = saved;
      }
      queued_bytes_ -= bytes;
    } catch (...) {
      // Never write past a failed write or fsync: a later position would cover lost bytes.
      lock.lock();
      error_ = std::current_exception();
      queue_.clear();
      pending_.reset();
      busy_ = false;
      done_.notify_all();
      return;
    }
    busy_ = false;
    done_.notify_all();
  }
}

}  // namespace sluice::cdc
