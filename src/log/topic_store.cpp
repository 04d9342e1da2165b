#include "log/topic_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "core/fs_sync.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "kafka/errors.h"
#include "log/partition_log.h"

namespace fs = std::filesystem;

namespace sluice::log {

namespace err = kafka::err;

namespace {

constexpr const char* kLog = "log";

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Writes path atomically: a temporary file, fsynced, renamed over it, the directory fsynced.
void write_file_durably(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot create {}: {}", tmp, strerror(errno)));
  bool ok = ::write(fd, data.data(), data.size()) == ssize_t(data.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(fmt::format("cannot write {}: {}", path, strerror(errno)));
  sync_parent_directory(path);
}

std::string topic_json(int32_t partitions, const std::map<std::string, std::string>& configs) {
  std::string out = "{\"partitions\":" + std::to_string(partitions) + ",\"configs\":{";
  bool first = true;
  for (const auto& [k, v] : configs) {
    if (!first) out += ',';
    first = false;
    json::append_string(out, k);
    out += ':';
    json::append_string(out, v);
  }
  return out + "}}\n";
}

LogConfig log_config(const TopicConfig& c) {
  LogConfig lc;
  lc.segment_bytes = uint64_t(std::max<int64_t>(c.segment_bytes(), 1024));
  return lc;
}

}  // namespace

std::vector<std::shared_ptr<Partition>> Topic::partitions() const {
  std::lock_guard lock(mu_);
  return partitions_;
}

std::shared_ptr<Partition> Topic::partition(int32_t id) const {
  std::lock_guard lock(mu_);
  if (id < 0 || size_t(id) >= partitions_.size()) return nullptr;
  return partitions_[size_t(id)];
}

int32_t Topic::partition_count() const {
  std::lock_guard lock(mu_);
  return int32_t(partitions_.size());
}

TopicConfig Topic::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

struct TopicStore::Impl {
  mutable std::mutex mu;  // guards topics
  std::map<std::string, std::shared_ptr<Topic>, std::less<>> topics;

  struct SyncRequest {
    std::vector<std::shared_ptr<Partition>> parts;
    std::function<void(bool)> done;
  };
  std::mutex sync_mu;
  std::condition_variable sync_cv;
  std::deque<SyncRequest> sync_queue;
  bool stopping = false;
  std::thread sync_thread, maintenance_thread;
  std::condition_variable maint_cv;

  std::mutex listener_mu;
  std::function<void()> listener;
};

TopicStore::TopicStore(TopicStoreOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  std::string root = options_.dir + "/topics";
  fs::create_directories(root);
  for (const auto& e : fs::directory_iterator(root)) {
    std::string name = e.path().filename().string();
    if (!e.is_directory()) continue;
    if (name.starts_with(".deleted-")) {
      fs::remove_all(e.path());  // a deletion cut short by a crash
      continue;
    }
    std::ifstream in(e.path() / "topic.json");
    std::stringstream ss;
    ss << in.rdbuf();
    rapidjson::Document d;
    d.Parse(ss.str().c_str());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("partitions")) {
      log::warn(kLog, "skipping topic directory {}: no valid topic.json", name);
      continue;
    }
    std::map<std::string, std::string> configs;
    if (d.HasMember("configs") && d["configs"].IsObject())
      for (auto& m : d["configs"].GetObject())
        if (m.value.IsString()) configs[m.name.GetString()] = m.value.GetString();
    auto t = std::make_shared<Topic>();
    t->name_ = name;
    t->dir_ = e.path().string();
    t->config_ = TopicConfig(configs, &options_.broker_defaults);
    int32_t n = d["partitions"].GetInt();
    for (int32_t p = 0; p < n; ++p) {
      auto pl = PartitionLog::open(t->dir_ + "/" + std::to_string(p), log_config(t->config_));
      if (pl->recovered_bytes())
        log::warn(kLog, "{}-{}: cut {} bytes of a torn or corrupt tail", name, p,
                  pl->recovered_bytes());
      t->partitions_.push_back(std::make_shared<Partition>(name, p, std::move(pl)));
    }
    impl_->topics[name] = t;
  }
  impl_->sync_thread = std::thread([this] {
    std::unique_lock lock(impl_->sync_mu);
    while (true) {
      impl_->sync_cv.wait(lock, [&] { return impl_->stopping || !impl_->sync_queue.empty(); });
      if (impl_->sync_queue.empty()) return;
      std::deque<Impl::SyncRequest> batch;
      batch.swap(impl_->sync_queue);
      lock.unlock();
      // One fsync per partition for every request waiting: group commit.
      std::set<Partition*> seen;
      bool ok = true;
      for (auto& r : batch)
        for (auto& p : r.parts)
          if (seen.insert(p.get()).second)
            for (int fd : p->take_unsynced()) {
              if (::fdatasync(fd) != 0) {
                log::error(kLog, "fdatasync of {}-{} failed: {}", p->topic(), p->id(),
                           strerror(errno));
                ok = false;
              }
              ::close(fd);
            }
      for (auto& r : batch)
        if (r.done) r.done(ok);
      lock.lock();
    }
  });
  impl_->maintenance_thread = std::thread([this] {
    std::unique_lock lock(impl_->sync_mu);
    while (!impl_->stopping) {
      impl_->maint_cv.wait_for(lock, std::chrono::milliseconds(options_.maintenance_interval_ms));
      if (impl_->stopping) return;
      lock.unlock();
      for (auto& t : list()) {
        TopicConfig c = t->config();
        for (auto& p : t->partitions()) {
          try {
            p->maintain(c, wall_ms());
          } catch (const std::exception& e) {
            log::error(kLog, "maintenance of {}-{} failed: {}", t->name(), p->id(), e.what());
          }
        }
      }
      lock.lock();
    }
  });
}

TopicStore::~TopicStore() {
  {
    std::lock_guard lock(impl_->sync_mu);
    impl_->stopping = true;
  }
  impl_->sync_cv.notify_all();
  impl_->maint_cv.notify_all();
  impl_->sync_thread.join();
  impl_->maintenance_thread.join();
}

std::shared_ptr<Topic> TopicStore::find(std::string_view name) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->topics.find(name);
  return it == impl_->topics.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Topic>> TopicStore::list() const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::shared_ptr<Topic>> out;
  for (auto& [_, t] : impl_->topics) out.push_back(t);
  return out;
}

std::string TopicStore::check_topic_name(std::string_view name) {
  if (name.empty()) return "topic name is empty";
  if (name == "." || name == "..") return "topic name cannot be '.' or '..'";
  if (name.size() > 249) return "topic name is longer than 249 characters";
  for (char c : name)
    if (!(isalnum(uint8_t(c)) || c == '.' || c == '_' || c == '-'))
      return fmt::format(
          "topic name '{}' has a character other than ASCII alphanumerics, '.', "
          "'_' and '-'",
          name);
  return "";
}

CreateResult TopicStore::create(const std::string& name, int32_t partitions,
                                const std::map<std::string, std::string>& configs,
                                bool validate_only) {
  CreateResult r;
  if (auto e = check_topic_name(name); !e.empty()) {
    r.error = err::kInvalidTopicException;
    r.message = e;
    return r;
  }
  if (partitions <= 0) partitions = options_.default_partitions;
  if (partitions > 100000) {
    r.error = err::kInvalidPartitions;
    r.message = fmt::format("{} partitions is more than sluice allows (100000)", partitions);
    return r;
  }
  for (const auto& [k, v] : configs)
    if (auto e = validate_topic_config(k, v); !e.empty()) {
      r.error = err::kInvalidConfig;
      r.message = e;
      return r;
    }
  std::lock_guard lock(impl_->mu);
  if (impl_->topics.count(name)) {
    r.error = err::kTopicAlreadyExists;
    r.message = fmt::format("Topic '{}' already exists.", name);
    return r;
  }
  if (validate_only) return r;
  auto t = std::make_shared<Topic>();
  t->name_ = name;
  t->dir_ = options_.dir + "/topics/" + name;
  t->config_ = TopicConfig(configs, &options_.broker_defaults);
  try {
    fs::create_directories(t->dir_);
    for (int32_t p = 0; p < partitions; ++p)
      t->partitions_.push_back(std::make_shared<Partition>(
          name, p, PartitionLog::open(t->dir_ + "/" + std::to_string(p), log_config(t->config_))));
    write_file_durably(t->dir_ + "/topic.json", topic_json(partitions, configs));
    sync_parent_directory(t->dir_);
  } catch (const std::exception& e) {
    r.error = err::kKafkaStorageError;
    r.message = e.what();
    return r;
  }
  impl_->topics[name] = t;
  r.topic = t;
  log::info(kLog, "created topic {} with {} partition(s)", name, partitions);
  return r;
}

std::shared_ptr<Topic> TopicStore::find_or_create(const std::string& name) {
  if (auto t = find(name)) return t;
  auto r = create(name, -1, {});
  if (r.topic) return r.topic;
  return find(name);  // created meanwhile by someone else
}

int16_t TopicStore::remove(const std::string& name, std::string* message) {
  if (name.starts_with("__")) {
    if (message) *message = fmt::format("topic '{}' is internal and cannot be deleted", name);
    return err::kInvalidTopicException;
  }
  std::shared_ptr<Topic> t;
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->topics.find(name);
    if (it == impl_->topics.end()) {
      if (message) *message = fmt::format("topic '{}' does not exist", name);
      return err::kUnknownTopicOrPartition;
    }
    t = it->second;
    impl_->topics.erase(it);
  }
  // Renamed first, so a crash mid-way never leaves a half-deleted topic that looks alive.
  // Not named after the topic: a 249-character name plus a suffix is too long for a file name.
  static std::atomic<uint64_t> deletions{0};
  std::string gone = options_.dir + "/topics/.deleted-" + std::to_string(wall_ms()) + "-" +
                     std::to_string(deletions++);
  std::error_code ec;
  fs::rename(t->dir_, gone, ec);
  if (ec) {
    log::error(kLog, "cannot delete topic {}: {}", name, ec.message());
    std::lock_guard lock(impl_->mu);
    impl_->topics[name] = t;
    if (message) *message = ec.message();
    return err::kKafkaStorageError;
  }
  sync_parent_directory(gone);
  fs::remove_all(gone, ec);
  log::info(kLog, "deleted topic {}", name);
  return err::kNone;
}

int16_t TopicStore::add_partitions(const std::string& name, int32_t total, bool validate_only,
                                   std::string* message) {
  auto t = find(name);
  if (!t) {
    if (message) *message = fmt::format("topic '{}' does not exist", name);
    return err::kUnknownTopicOrPartition;
  }
  std::lock_guard lock(t->mu_);
  int32_t have = int32_t(t->partitions_.size());
  if (total <= have) {
    if (message)
      *message = fmt::format(
          "topic currently has {} partitions, which is higher than or equal "
          "to the requested {}",
          have, total);
    return err::kInvalidPartitions;
  }
  if (total > 100000) {
    if (message) *message = fmt::format("{} partitions is more than sluice allows (100000)", total);
    return err::kInvalidPartitions;
  }
  if (validate_only) return err::kNone;
  try {
    for (int32_t p = have; p < total; ++p)
      t->partitions_.push_back(std::make_shared<Partition>(
          name, p, PartitionLog::open(t->dir_ + "/" + std::to_string(p), log_config(t->config_))));
    write_file_durably(t->dir_ + "/topic.json", topic_json(total, t->config_.overrides()));
  } catch (const std::exception& e) {
    if (message) *message = e.what();
    return err::kKafkaStorageError;
  }
  return err::kNone;
}

int16_t TopicStore::alter_config(const std::string& name,
                                 const std::map<std::string, std::optional<std::string>>& changes,
                                 bool validate_only, std::string* message) {
  auto t = find(name);
  if (!t) {
    if (message) *message = fmt::format("topic '{}' does not exist", name);
    return err::kUnknownTopicOrPartition;
  }
  for (const auto& [k, v] : changes) {
    std::string e = v ? validate_topic_config(k, *v)
                      : (find_topic_config(k) ? "" : "unknown topic config '" + k + "'");
    if (!e.empty()) {
      if (message) *message = e;
      return err::kInvalidConfig;
    }
  }
  if (validate_only) return err::kNone;
  std::lock_guard lock(t->mu_);
  TopicConfig next = t->config_;
  for (const auto& [k, v] : changes) v ? next.set(k, *v) : next.erase(k);
  try {
    write_file_durably(t->dir_ + "/topic.json",
                       topic_json(int32_t(t->partitions_.size()), next.overrides()));
  } catch (const std::exception& e) {
    if (message) *message = e.what();
    return err::kKafkaStorageError;
  }
  t->config_ = next;
  return err::kNone;
}

void TopicStore::sync(std::vector<std::shared_ptr<Partition>> parts,
                      std::function<void(bool)> done) {
  {
    std::lock_guard lock(impl_->sync_mu);
    impl_->sync_queue.push_back({std::move(parts), std::move(done)});
  }
  impl_->sync_cv.notify_one();
}

bool TopicStore::sync_wait(std::vector<std::shared_ptr<Partition>> parts) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<bool> result;
  sync(std::move(parts), [&](bool ok) {
    std::lock_guard lock(mu);
    result = ok;
    cv.notify_one();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return result.has_value(); });
  return *result;
}

void TopicStore::set_append_listener(std::function<void()> fn) {
  std::lock_guard lock(impl_->listener_mu);
  impl_->listener = std::move(fn);
}

void TopicStore::notify_append() {
  std::lock_guard lock(impl_->listener_mu);
  if (impl_->listener) impl_->listener();
}

// Kafka's murmur2 (the Java client's Utils.murmur2), so keyed records land in the partition a
// Java producer would choose.
int32_t partition_for_key(std::string_view key, int32_t partitions) {
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  size_t length = key.size();
  uint32_t h = 0x9747b28c ^ uint32_t(length);
  const auto* data = reinterpret_cast<const uint8_t*>(key.data());
  size_t length4 = length / 4;
  for (size_t i = 0; i < length4; i++) {
    size_t i4 = i * 4;
    uint32_t k = uint32_t(data[i4 + 0]) | (uint32_t(data[i4 + 1]) << 8) |
                 (uint32_t(data[i4 + 2]) << 16) | (uint32_t(data[i4 + 3]) << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  switch (length % 4) {
    case 3:
      h ^= uint32_t(data[(length & ~size_t(3)) + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t(data[(length & ~size_t(3)) + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= uint32_t(data[length & ~size_t(3)]);
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return int32_t((h & 0x7fffffff) % uint32_t(partitions));
}

}  // namespace sluice::log
