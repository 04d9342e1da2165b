// What a request handler sees. Handlers run on the listener's network thread, decode their
// request from a Reader, and answer through a Responder: at once, later (a produce waiting for
// fsync, a fetch waiting for data, a join waiting for the group) or never (acks=0). The server
// sends the answers of one connection in request order whatever order they complete in.
// Nothing here depends on the networking library, so handlers compile without its headers.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/wire.h"

namespace sluice::log {
class TopicStore;
class ProducerIds;
}  // namespace sluice::log

namespace sluice::kafka {

namespace group {
class Coordinator;
}
class FetchWaiters;

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string_view> client_id;
  bool flexible = false;  // request header v2 (tagged fields follow the client id)
};

// Completes one request. Copyable handle; the first send/none wins, later calls are ignored.
// Safe to call from any thread (the answer is handed to the network thread).
class Responder {
 public:
  enum class Outcome { send, none, close };
  using Completion = std::function<void(Outcome, std::string body)>;
  struct Slot {
    Completion complete;
    std::atomic<bool> fired{false};
  };
  Responder() = default;
  // The server makes one per request; unit tests make their own to capture the answer.
  static Responder make(Completion complete) {
    auto slot = std::make_shared<Slot>();
    slot->complete = std::move(complete);
    return Responder(std::move(slot));
  }
  explicit Responder(std::shared_ptr<Slot> slot) : slot_(std::move(slot)) {}
  // body: the response after the response header (the server writes size and correlation id).
  void send(std::string body) const;
  // No answer at all (acks=0); the next answers on the connection are not held up.
  void none() const;
  // Closes the connection once earlier answers and this body (if not empty) are sent: a failed
  // produce with acks=0, a failed SASL authentication.
  void close(std::string body = {}) const;

 private:
  void finish(Outcome o, std::string body) const {
    if (slot_ && !slot_->fired.exchange(true)) slot_->complete(o, std::move(body));
  }
  std::shared_ptr<Slot> slot_;
};

// Timers and deferred work on the network thread.
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  using TimerId = uint64_t;
  virtual void post(std::function<void()> fn) = 0;  // any thread; runs on the network thread
  virtual TimerId after(int64_t ms, std::function<void()> fn) = 0;  // network thread only
  virtual void cancel(TimerId id) = 0;                              // network thread only
};

struct BrokerConfig {
  int32_t node_id = 0;
  std::string advertised_host = "127.0.0.1";
  int32_t port = 9092;
  std::string cluster_id = "sluice-cluster";
  int32_t default_partitions = 1;
  bool auto_create_topics = true;
  int32_t max_request_bytes = 100 * 1024 * 1024;
  std::map<std::string, std::string> sasl_users;  // PLAIN user -> password; empty: no SASL
  int64_t group_initial_rebalance_delay_ms = 3000;
};

// Shared broker state every handler may use.
struct Broker {
  BrokerConfig config;
  log::TopicStore* topics = nullptr;
  group::Coordinator* groups = nullptr;
  Scheduler* scheduler = nullptr;
  log::ProducerIds* producer_ids = nullptr;
  FetchWaiters* fetch_waiters = nullptr;  // fetches parked until data or their deadline
  const class ApiTable* apis = nullptr;   // what ApiVersions advertises
};

// Per-connection state.
struct Session {
  std::string client_host;
  bool authenticated = false;  // always true when SASL is off
  bool sasl_handshake_done = false;
  int16_t sasl_handshake_version = -1;
  std::string principal;
};

struct Request {
  RequestHeader header;
  Reader& body;
  Broker& broker;
  Session& session;
  Responder respond;
};

using Handler = void (*)(Request& req);

struct ApiEntry {
  int16_t key;
  int16_t min_version;
  int16_t max_version;
  Handler handler;
  bool before_auth = false;  // allowed before SASL authentication (ApiVersions, SaslHandshake)
};

class ApiTable {
 public:
  void add(ApiEntry e) { entries_[e.key] = e; }
  const ApiEntry* find(int16_t key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }
  const std::map<int16_t, ApiEntry>& entries() const { return entries_; }

 private:
  std::map<int16_t, ApiEntry> entries_;
};

// Each group of APIs registers itself (one file each, so work on them stays separate).
void register_core_apis(ApiTable& t);   // ApiVersions, Metadata, Produce, Fetch, ListOffsets,
                                        // InitProducerId
void register_group_apis(ApiTable& t);  // FindCoordinator, Join/Sync/Heartbeat/LeaveGroup,
                                        // OffsetCommit/Fetch, List/Describe/DeleteGroups
void register_admin_apis(ApiTable& t);  // CreateTopics, DeleteTopics, CreatePartitions,
                                        // DescribeConfigs, DeleteRecords
void register_sasl_apis(ApiTable& t);   // SaslHandshake, SaslAuthenticate

}  // namespace sluice::kafka
