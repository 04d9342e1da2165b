// libFuzzer target: Kafka requests from an untrusted client, through dispatch() and every
// handler, against a real broker (TopicStore on a temporary directory, group coordinator,
// producer ids, parked fetches) driven by a hand-cranked scheduler.
//
// An input is what a client writes on one connection: frames, each an int32 big-endian size
// and that many bytes (the last one may be cut short). The harness plays the connection layer
// of kafka_server.cpp: it stops at the first frame the server would close the connection for
// (malformed, rejected, too short, a Responder::close, a failed raw SASL token), and it runs
// the scheduler's posted work after each frame. The connection starts unauthenticated (SASL
// PLAIN user "fuzz", password "fuzz") when its first frame is a SaslHandshake or
// SaslAuthenticate, and authenticated otherwise.
//
// A frame whose api key is -1 (0xffff) is a harness command, not a request:
//   ff ff [uint32 ms] [int8 op] waits for pending fsyncs, runs posted work, moves the clock on
//                               by ms (fires due timers: session expiry, rebalances, fetch
//                               deadlines), runs retention and compaction on every partition;
//                               op & 1 then also restarts the broker on the same directory
//                               (recovery, reloading committed offsets); the connection
//                               then starts over (pending answers dropped, authenticated as
//                               before, as a client that reconnects).
//
// Member ids are random, so an input cannot know them: the harness remembers the member ids
// JoinGroup answers hand out, and replaces the string "@N" (int16 length 2, '@', a digit N) in a
// request by the Nth of them (modulo how many), so inputs can go on to SyncGroup, Heartbeat,
// OffsetCommit and LeaveGroup as members.
//
// A record batch in a Produce request whose CRC field is 0 gets its CRC-32C filled in by the
// harness, so that mutations inside it reach the record parsing, compaction and offset replay
// instead of stopping at the CRC check (the seeds' batches have CRC 0; others go as they are).
//
// After the last frame the harness settles: it drains fsyncs and posted work and moves the
// clock far enough for every timer to fire, then checks that every request was answered.
//
// Only crashes and sanitizer reports are bugs. WireError is the expected answer to malformed
// input; other std::exception types close the connection in the server too, so they are
// counted and the first of each kind printed (they may still deserve a look). Harness checks
// that abort (so libFuzzer records the input):
//   - a request still unanswered after settling (its client would wait forever);
//   - a restart that fails (the broker would not come back up after what a client did), or
//     that changes topics, partitions, their configs, log start and end offsets, or committed
//     offsets (what the broker had acknowledged must come back as it was).
//
// Environment:
//   SLUICE_FUZZ_RESET_EVERY=N  a fresh broker every N inputs (default 1: every input starts from
//                              an empty broker, so any input reproduces on its own). Larger N
//                              lets state carry over between inputs (faster, less exact).
//   SLUICE_FUZZ_NO_LIMITS=1    drop the harness's resource limits (partition counts per
//                              CreateTopics/CreatePartitions), e.g. to reproduce a DoS.
//   SLUICE_FUZZ_LENIENT=1      report the harness checks' failures without aborting.
//   SLUICE_FUZZ_VERBOSE=1      print every exception and check failure, not just the first.
//   SLUICE_FUZZ_TRACE=1        print each request and the start of its answer (to check seeds).
#include <fmt/format.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "core/crc32c.h"
#include "core/log.h"
#include "kafka/group/coordinator.h"
#include "kafka/group/manual_scheduler.h"
#include "kafka/record_batch.h"
#include "kafka/server/core_apis.h"
#include "kafka/server/dispatch.h"
#include "kafka/server/fetch_waiters.h"
#include "kafka/server/sasl_plain.h"
#include "kafka/wire.h"
#include "log/producer_ids.h"
#include "log/topic_store.h"

namespace {

using namespace sluice;
namespace fs = std::filesystem;

// Harness limits, so one input cannot fill the disk or run for minutes. The broker's own
// limits are what is being tested; these only keep the fuzzer's state bounded.
constexpr int32_t kMaxPartitionsPerTopic = 8;
constexpr size_t kMaxTopics = 256;  // beyond this the broker is recreated
// Far enough to fire every timer a request can set: rebalance timeouts are int32 ms.
constexpr int64_t kSettleMs = int64_t(1) << 32;
constexpr int64_t kMaxTickMs = int64_t(1) << 32;

bool g_no_limits = false;
bool g_lenient = false;
bool g_verbose = false;
bool g_trace = false;
size_t g_reset_every = 1;
std::string g_root;  // temporary directory holding every broker's data

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Exceptions other than WireError: which ones occur, printed once per type and API.
std::mutex g_seen_mu;
std::set<std::string> g_seen;
void note(const std::string& what, const std::string& detail) {
  std::lock_guard lock(g_seen_mu);
  if (g_seen.insert(what).second || g_verbose)
    fprintf(stderr, "[request_fuzzer] %s: %s\n", what.c_str(), detail.c_str());
}

[[noreturn]] void fail_check(const std::string& why) {
  fprintf(stderr, "[request_fuzzer] CHECK FAILED: %s\n", why.c_str());
  abort();
}

void check(bool ok, const std::string& what, const std::string& why) {
  if (ok) return;
  if (!g_lenient) fail_check(why);
  note(what, why);
}

// Answers of one connection: counted, so that lost ones are noticed. Shared with completions
// that run later, on the fsync thread.
struct Answers {
  std::atomic<int> made{0};
  std::atomic<int> done{0};
  std::atomic<bool> closed{false};
  std::mutex mu;
  std::map<int, std::string> open;      // request number -> "api key/version", until answered
  std::vector<std::string> member_ids;  // from JoinGroup answers, in order
};

// The member id in a JoinGroup answer (v0-5), to be offered to later requests as "@N".
void learn_member_id(Answers& a, int16_t version, std::string_view body) {
  try {
    kafka::Reader r(body);
    if (version >= 2) r.i32();
    r.i16();
    r.i32();
    r.string();
    r.string();
    std::string id(r.string());
    if (id.empty()) return;
    std::lock_guard lock(a.mu);
    if (std::find(a.member_ids.begin(), a.member_ids.end(), id) == a.member_ids.end())
      a.member_ids.push_back(std::move(id));
  } catch (const kafka::WireError&) {
  }
}

// Replaces each "@N" string by a learned member id (see the top of the file).
std::string substitute_member_ids(Answers& a, std::string_view frame) {
  std::lock_guard lock(a.mu);
  std::string out;
  if (a.member_ids.empty()) return std::string(frame);
  out.reserve(frame.size());
  for (size_t i = 0; i < frame.size();) {
    if (i + 4 <= frame.size() && frame[i] == 0 && frame[i + 1] == 2 && frame[i + 2] == '@' &&
        frame[i + 3] >= '0' && frame[i + 3] <= '9') {
      const std::string& id = a.member_ids[size_t(frame[i + 3] - '0') % a.member_ids.size()];
      out += char(id.size() >> 8);
      out += char(id.size() & 0xff);
      out += id;
      i += 4;
    } else {
      out += frame[i++];
    }
  }
  return out;
}

// One broker, wired as cmd_run.cpp wires the real one.
struct Env {
  std::string dir;
  std::unique_ptr<kafka::group::ManualScheduler> sched;
  std::unique_ptr<log::TopicStore> topics;
  std::unique_ptr<log::ProducerIds> producer_ids;
  std::unique_ptr<kafka::FetchWaiters> waiters;
  std::unique_ptr<kafka::group::Coordinator> groups;
  kafka::Broker broker;
  kafka::ApiTable apis = kafka::all_apis();
  size_t inputs = 0;
};

// Opens the broker over env.dir (empty or left by a previous open). False when it cannot start.
bool open_broker(Env& env, std::string* why) {
  env.sched = std::make_unique<kafka::group::ManualScheduler>();
  log::TopicStoreOptions to;
  to.dir = env.dir;
  to.default_partitions = 2;
  // Retention and compaction run when a tick command says, on this thread (deterministic).
  to.maintenance_interval_ms = int64_t(1) << 40;
  try {
    env.topics = std::make_unique<log::TopicStore>(to);
    env.producer_ids = std::make_unique<log::ProducerIds>(env.dir + "/producer_ids");
  } catch (const std::exception& e) {
    *why = std::string("opening the log: ") + e.what();
    return false;
  }
  auto& b = env.broker;
  b = kafka::Broker{};
  b.config.default_partitions = 2;
  b.config.auto_create_topics = true;
  b.config.group_initial_rebalance_delay_ms = 3000;
  b.config.sasl_users = {{"fuzz", "fuzz"}};
  b.topics = env.topics.get();
  b.producer_ids = env.producer_ids.get();
  b.scheduler = env.sched.get();
  b.apis = &env.apis;
  env.waiters = std::make_unique<kafka::FetchWaiters>(*env.sched);
  b.fetch_waiters = env.waiters.get();
  auto* waiters = env.waiters.get();
  env.topics->set_append_listener([waiters] { waiters->wake(); });
  env.groups = std::make_unique<kafka::group::Coordinator>(b);
  b.groups = env.groups.get();
  try {
    env.groups->load();
  } catch (const std::exception& e) {
    *why = std::string("loading committed offsets (") + typeid(e).name() + "): " + e.what();
    return false;
  }
  return true;
}

// Waits for queued fsyncs (their completions post to the scheduler or answer directly).
void drain_syncs(Env& env) {
  if (env.topics) env.topics->sync_wait({});
}

// Stops the broker as cmd_run.cpp does, keeping the directory.
void close_broker(Env& env) {
  if (env.topics) {
    drain_syncs(env);
    if (env.sched) env.sched->run_posted();
  }
  if (env.groups) env.groups->shutdown();
  if (env.sched) env.sched->run_posted();
  if (env.topics) env.topics->set_append_listener(nullptr);
  env.groups.reset();
  env.waiters.reset();
  env.producer_ids.reset();
  env.topics.reset();  // joins its threads after draining their queue
  env.sched.reset();   // drops timers that never fired
  env.broker = kafka::Broker{};
}

Env& env_for_input() {
  static Env env;
  static size_t generation = 0;
  bool fresh = env.topics == nullptr || env.inputs >= g_reset_every ||
               env.topics->list().size() > kMaxTopics;
  if (fresh) {
    close_broker(env);
    if (!env.dir.empty()) fs::remove_all(env.dir);
    env.dir = g_root + "/b" + std::to_string(generation++);
    env.inputs = 0;
    std::string why;
    if (!open_broker(env, &why)) fail_check("a fresh broker does not start: " + why);
  }
  ++env.inputs;
  return env;
}

uint32_t be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

// Fills in the CRC of each record batch with CRC field 0 in a Produce (v3-7) request.
void fix_produce_crcs(std::string& frame) {
  try {
    kafka::Reader r(frame);
    if (r.i16() != 0) return;
    r.i16();
    r.i32();
    r.nullable_string();
    r.nullable_string();  // transactional id
    r.i16();
    r.i32();
    int32_t nt = r.array_count(2);
    for (int32_t i = 0; i < nt; ++i) {
      r.string();
      int32_t np = r.array_count(8);
      for (int32_t j = 0; j < np; ++j) {
        r.i32();
        auto records = r.bytes();
        if (!records || records->size() < kafka::kBatchHeaderSize) continue;
        size_t at = size_t(records->data() - frame.data());
        char* b = frame.data() + at;
        if (b[17] || b[18] || b[19] || b[20]) continue;
        uint32_t crc = crc32c(b + 21, records->size() - 21);
        for (int k = 0; k < 4; ++k) b[17 + k] = char(crc >> (24 - 8 * k));
      }
    }
  } catch (const kafka::WireError&) {
  }
}

// Harness limits on requests that create partitions. Mirrors the handlers' decoding; a request
// it cannot decode is let through (the handler refuses it before creating anything).
bool within_limits(std::string_view frame) {
  if (g_no_limits) return true;
  try {
    kafka::Reader r(frame);
    int16_t key = r.i16();
    if (key != 19 && key != 37) return true;
    int16_t version = r.i16();
    r.i32();
    r.nullable_string();
    if (key == 19) {  // CreateTopics v0-4
      int32_t n = r.array_count(2 + 4 + 2 + 4 + 4);
      for (int32_t i = 0; i < n; ++i) {
        r.string();
        int32_t partitions = r.i32();
        r.i16();
        if (partitions > kMaxPartitionsPerTopic) return false;
        int32_t na = r.array_count(8);
        if (na > kMaxPartitionsPerTopic) return false;
        for (int32_t j = 0; j < na; ++j) {
          r.i32();
          int32_t nb = r.array_count(4);
          for (int32_t k = 0; k < nb; ++k) r.i32();
        }
        int32_t nc = r.array_count(4);
        for (int32_t j = 0; j < nc; ++j) {
          r.string();
          r.nullable_string();
        }
      }
      (void)version;
    } else {  // CreatePartitions v0-1
      int32_t n = r.array_count(2 + 4 + 4);
      for (int32_t i = 0; i < n; ++i) {
        r.string();
        if (r.i32() > kMaxPartitionsPerTopic) return false;
        int32_t na = r.array_count(4);
        for (int32_t j = 0; j < na; ++j) {
          int32_t nb = r.array_count(4);
          for (int32_t k = 0; k < nb; ++k) r.i32();
        }
      }
    }
  } catch (const kafka::WireError&) {
  }
  return true;
}

// Retention and compaction on every partition, as the maintenance thread does.
void maintain_all(Env& env) {
  int64_t now = wall_ms() + env.sched->now();
  for (auto& t : env.topics->list()) {
    auto config = t->config();
    for (auto& p : t->partitions()) {
      try {
        p->maintain(config, now);
      } catch (const std::exception& e) {
        // The maintenance thread logs these and carries on.
        note(std::string("maintain threw ") + typeid(e).name(), e.what());
      }
    }
  }
}

// Fsyncs, posted work and timers until nothing is left (bounded: a timer may set another).
void settle(Env& env) {
  for (int round = 0; round < 16; ++round) {
    drain_syncs(env);
    size_t ran = env.sched->run_posted();
    if (!ran && env.sched->pending_timers() == 0) break;
    env.sched->advance(kSettleMs);
  }
}

// What a restart must preserve: topics (partition count, config overrides, each partition's
// start and end offsets) and committed offsets. Rendered as text, keyed by topic or group.
std::map<std::string, std::string> durable_state(Env& env) {
  std::map<std::string, std::string> out;
  for (auto& t : env.topics->list()) {
    std::string s = fmt::format("{} partitions;", t->partition_count());
    const auto config = t->config();
    for (auto& [k, v] : config.overrides()) s += fmt::format(" {}={};", k, v);
    for (auto& p : t->partitions())
      s += fmt::format(" p{} [{}, {});", p->id(), p->start_offset(), p->end_offset());
    out["topic " + t->name()] = s;
  }
  for (auto& g : env.groups->list()) {
    auto r = env.groups->fetch_offsets({g.group_id, std::nullopt});
    std::string s;
    for (auto& t : r.topics)
      for (auto& p : t.partitions)
        s += fmt::format(" {}-{}={} epoch {} '{}' error {};", t.name, p.partition, p.offset,
                         p.leader_epoch, p.metadata, p.error);
    // Membership is not durable: only groups with committed offsets must come back.
    if (!s.empty() || r.error)
      out["offsets of group " + g.group_id] = fmt::format("error {};", r.error) + s;
  }
  return out;
}

std::string describe_difference(const std::map<std::string, std::string>& before,
                                const std::map<std::string, std::string>& after) {
  std::string out;
  for (auto& [k, v] : before) {
    auto it = after.find(k);
    if (it == after.end())
      out += "\n  lost: " + k + ": " + v;
    else if (it->second != v)
      out += "\n  changed: " + k + ": " + v + "\n       now: " + it->second;
  }
  for (auto& [k, v] : after)
    if (!before.count(k)) out += "\n  appeared: " + k + ": " + v;
  return out;
}

// Returns true when it restarted the broker.
bool tick(Env& env, std::string_view frame) {
  int64_t ms = 0;
  uint8_t op = 0;
  if (frame.size() >= 6) ms = be32(reinterpret_cast<const uint8_t*>(frame.data()) + 2);
  if (frame.size() >= 7) op = uint8_t(frame[6]);
  ms = std::clamp<int64_t>(ms, 0, kMaxTickMs);
  drain_syncs(env);
  env.sched->run_posted();
  env.sched->advance(ms);
  env.sched->run_posted();
  maintain_all(env);
  if (op & 1) {
    // Everything acknowledged so far is in the files (tmpfs or page cache: the process stops,
    // the machine does not), so the broker must come back exactly as it was.
    for (int i = 0; i < 16; ++i) {
      drain_syncs(env);
      if (!env.sched->run_posted()) break;
    }
    auto before = durable_state(env);
    close_broker(env);
    std::string why;
    if (open_broker(env, &why)) {
      auto after = durable_state(env);
      if (before != after)
        check(
            false, "restart changed the state",
            "the broker came back different after a restart:" + describe_difference(before, after));
    } else {
      check(false, "restart failed", "the broker does not restart after this input: " + why);
      // Lenient: carry on with a fresh broker.
      close_broker(env);
      fs::remove_all(env.dir);
      if (!open_broker(env, &why)) fail_check("a fresh broker does not start: " + why);
    }
    return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  log::set_level(log::Level::error);
  auto flag = [](const char* name) {
    const char* v = getenv(name);
    return v && *v && std::string(v) != "0";
  };
  g_no_limits = flag("SLUICE_FUZZ_NO_LIMITS");
  g_lenient = flag("SLUICE_FUZZ_LENIENT");
  g_verbose = flag("SLUICE_FUZZ_VERBOSE");
  g_trace = flag("SLUICE_FUZZ_TRACE");
  if (const char* v = getenv("SLUICE_FUZZ_RESET_EVERY"); v && atoi(v) > 0)
    g_reset_every = size_t(atoi(v));
  // tmpfs when there is one: the log fsyncs a lot.
  std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : fs::temp_directory_path();
  // A crash leaves its directory behind: remove those of fuzzers that are gone.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(base, ec)) {
    std::string name = e.path().filename().string();
    int pid = 0;
    if (sscanf(name.c_str(), "sluice-fuzz-%d-", &pid) == 1 && pid > 0 && kill(pid, 0) != 0 &&
        errno == ESRCH)
      fs::remove_all(e.path(), ec);
  }
  std::string tmpl = base + "/sluice-fuzz-" + std::to_string(getpid()) + "-XXXXXX";
  if (!mkdtemp(tmpl.data())) {
    perror("mkdtemp");
    abort();
  }
  g_root = tmpl;
  atexit([] {
    std::error_code ec;
    fs::remove_all(g_root, ec);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Env& env = env_for_input();
  kafka::Session session;
  session.client_host = "127.0.0.1";
  auto answers = std::make_shared<Answers>();
  bool first = true, raw_sasl_next = false;
  const uint8_t* p = data;
  size_t left = size;

  while (left >= 4 && !answers->closed) {
    size_t n = std::min<size_t>(be32(p), left - 4);
    std::string_view frame(reinterpret_cast<const char*>(p + 4), n);
    p += 4 + n;
    left -= 4 + n;
    int16_t key = frame.size() >= 2 ? int16_t(uint16_t(uint8_t(frame[0])) << 8 | uint8_t(frame[1]))
                                    : int16_t(0);
    if (first) {
      session.authenticated = !(key == 17 || key == 36);
      first = false;
    }
    if (raw_sasl_next) {  // after a v0 SaslHandshake: a bare PLAIN token
      raw_sasl_next = false;
      std::string user, error;
      if (!kafka::sasl_plain_check(env.broker.config, frame, &user, &error)) break;
      session.authenticated = true;
      session.principal = user;
      continue;
    }
    if (key == -1) {
      if (g_trace) fprintf(stderr, "[trace] tick\n");
      if (tick(env, frame)) {
        // The connection died with the broker: its pending answers with it. The client
        // reconnects (authenticated as before) and carries on.
        std::lock_guard lock(answers->mu);
        answers->open.clear();
        bool authenticated = session.authenticated;
        session = kafka::Session{};
        session.client_host = "127.0.0.1";
        session.authenticated = authenticated;
        raw_sasl_next = false;
      }
      continue;
    }
    if (frame.size() < 8) break;  // kafka_server.cpp refuses such frames
    std::string request = substitute_member_ids(*answers, frame);
    fix_produce_crcs(request);
    frame = request;
    if (!within_limits(frame)) continue;

    std::string api;
    int current = -1;
    // A request whose handler threw is not answered: the server closes the connection.
    auto forget_current = [&] {
      std::lock_guard lock(answers->mu);
      answers->open.erase(current);
    };
    if (g_trace)
      fprintf(stderr, "[trace] request #%d: api %d v%d, %zu bytes\n", answers->made.load(), key,
              frame.size() >= 4 ? int(int16_t(uint16_t(uint8_t(frame[2])) << 8 | uint8_t(frame[3])))
                                : -1,
              frame.size());
    try {
      auto d =
          kafka::dispatch(frame, env.broker, session, env.apis, [&](const kafka::RequestHeader& h) {
            int id = current = answers->made++;
            api = std::to_string(h.api_key) + "v" + std::to_string(h.api_version);
            {
              std::lock_guard lock(answers->mu);
              answers->open[id] = api;
            }
            const bool join = h.api_key == 11;
            const int16_t version = h.api_version;
            return kafka::Responder::make(
                [answers, id, join, version](kafka::Responder::Outcome o, std::string body) {
                  if (join && o != kafka::Responder::Outcome::none)
                    learn_member_id(*answers, version, body);
                  if (g_trace) {
                    std::string hex;
                    for (size_t i = 0; i < std::min<size_t>(body.size(), 48); ++i) {
                      char b[4];
                      snprintf(b, sizeof b, "%02x", uint8_t(body[i]));
                      hex += b;
                    }
                    fprintf(stderr, "[trace]   answer #%d (%s, %zu bytes): %s\n", id,
                            o == kafka::Responder::Outcome::send   ? "send"
                            : o == kafka::Responder::Outcome::none ? "none"
                                                                   : "close",
                            body.size(), hex.c_str());
                  }
                  if (o == kafka::Responder::Outcome::close) answers->closed = true;
                  std::lock_guard lock(answers->mu);
                  answers->open.erase(id);
                  ++answers->done;
                });
          });
      if (d.kind == kafka::DispatchResult::Kind::reject) {
        if (g_trace) fprintf(stderr, "[trace] rejected: %s\n", d.reason.c_str());
        break;
      }
      if (d.kind == kafka::DispatchResult::Kind::unsupported_api_versions)
        (void)kafka::api_versions_unsupported(env.apis);
      if (session.sasl_handshake_done && session.sasl_handshake_version == 0 &&
          !session.authenticated)
        raw_sasl_next = true;
    } catch (const kafka::WireError& e) {
      if (g_trace) fprintf(stderr, "[trace] WireError: %s\n", e.what());
      forget_current();
      break;  // malformed: the server closes the connection
    } catch (const std::exception& e) {
      note(std::string(typeid(e).name()) + " from API " + api.substr(0, api.find('v')), e.what());
      forget_current();
      break;  // the server closes the connection too
    }
    env.sched->run_posted();
  }

  settle(env);
  {
    std::lock_guard lock(answers->mu);
    if (!answers->open.empty()) {
      std::string which;
      for (auto& [id, a] : answers->open) which += " #" + std::to_string(id) + " (API " + a + ")";
      check(false, "unanswered request",
            "request(s) never answered after every timer fired:" + which);
    }
  }
  if (g_reset_every <= 1) close_broker(env);  // stop its threads between inputs
  return 0;
}
