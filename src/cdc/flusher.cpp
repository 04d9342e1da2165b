#include "cdc/flusher.h"

#include <chrono>

namespace sluice::cdc {

namespace {
constexpr size_t kMaxQueuedBytes = 64 << 20;
constexpr size_t kMergeBytes = 1 << 20;
// How long a position saved for the sink's next sync waits for more records to share it.
constexpr auto kPipelineWait = std::chrono::milliseconds(1);
}  // namespace

Flusher::Flusher(Sink& sink)
    : sink_(sink), window_(sink.sync_window()), thread_([this] { run(); }) {}

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
  bool was_empty = queue_.empty();
  if (!was_empty && queue_.back().data.size() + data.size() <= kMergeBytes) {
    // Small hand-overs while a round waits become one write: one batch per partition, not one
    // per hand-over. The later position describes both.
    Item& last = queue_.back();
    last.data += data;
    last.pos = pos;
    last.sync = last.sync || sync;
    data.clear();  // keeps its capacity for the reader
  } else {
    queue_.push_back({std::move(data), pos, sync});
    data.clear();
  }
  lock.unlock();
  if (was_empty) work_.notify_one();  // the flusher waits for work, or for time to pass
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
  return (queue_.empty() || collecting_) && !busy_;
}

void Flusher::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_.wait(lock, [&] { return stop_ || !queue_.empty() || pending_; });
    // Group commit. Records handed over while a round waits join it (idle() says yes to the
    // reader meanwhile): a position saved for the sink's next sync waits a moment for them, so
    // that one sync makes both durable, and a sink whose syncs are costly gets rounds at most
    // every sync_window().
    if (!stop_) {
      collecting_ = true;
      if (queue_.empty())
        work_.wait_until(lock, std::max(Clock::now() + kPipelineWait, last_round_ + window_),
                         [&] { return stop_ || !queue_.empty(); });
      if (!queue_.empty()) work_.wait_until(lock, last_round_ + window_, [&] { return stop_; });
      collecting_ = false;
    }
    if (queue_.empty() && !pending_ && stop_) return;
    last_round_ = Clock::now();
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
