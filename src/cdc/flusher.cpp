#include "cdc/flusher.h"

namespace sluice::cdc {

namespace {
constexpr size_t kMaxQueuedBytes = 64 << 20;
}

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
  done_.wait(lock, [&] { return (queue_.empty() && !busy_) || error_; });
  if (error_) std::rethrow_exception(error_);
}

bool Flusher::idle() {
  std::lock_guard lock(mu_);
  return queue_.empty() && !busy_;
}

void Flusher::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) return;
    std::deque<Item> batch;
    batch.swap(queue_);
    busy_ = true;
    lock.unlock();
    try {
      bool sync = false;
      size_t bytes = 0;
      for (auto& item : batch) {
        sink_.write(item.data);
        sync = sync || item.sync;
        bytes += item.data.size();
      }
      // The last item's position describes the output after the whole batch. It is saved only
      // once the records are durable, never in the same sync: writeback could otherwise make
      // the position durable before the records it covers.
      if (sync) {
        sink_.sync();
        Position p = batch.back().pos;
        sink_.save(p);
        lock.lock();
        durable_ = p;
      } else {
        lock.lock();
      }
      queued_bytes_ -= bytes;
    } catch (...) {
      // Never write past a failed write or fsync: a later position would cover lost bytes.
      lock.lock();
      error_ = std::current_exception();
      queue_.clear();
      busy_ = false;
      done_.notify_all();
      return;
    }
    busy_ = false;
    done_.notify_all();
  }
}

}  // namespace sluice::cdc
