// Writes the fuzzers' seed corpora: valid requests (one connection's frames per file; see
// request_fuzzer.cpp for the format and its harness commands) and valid record batches (see
// batch_fuzzer.cpp). Usage: make_corpus DIR  (writes DIR/request/* and DIR/batch/*).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/crc32c.h"
#include "kafka/compression.h"
#include "kafka/record_batch.h"
#include "kafka/wire.h"

namespace {

using namespace sluice::kafka;
namespace fs = std::filesystem;

using Body = std::function<void(Writer&)>;

int32_t g_correlation = 0;

// One frame: size, request header v1 (key, version, correlation id, client id), body.
std::string frame(int16_t key, int16_t version, const Body& body) {
  std::string f;
  Writer w(f);
  size_t at = w.reserve_i32();
  w.i16(key);
  w.i16(version);
  w.i32(++g_correlation);
  w.nullable_string("fuzz");
  if (body) body(w);
  w.patch_i32(at, int32_t(f.size() - 4));
  return f;
}

// Harness command: advance the clock by ms, run maintenance; restart when asked.
std::string tick(int32_t ms, bool restart = false) {
  std::string f;
  Writer w(f);
  w.i32(restart ? 7 : 6);
  w.i16(-1);
  w.i32(ms);
  if (restart) w.i8(1);
  return f;
}

// A batch as a producer writes it. The request fuzzer fills in a CRC of 0 (see there), so the
// request seeds use crc0() to keep their batches open to mutation.
std::string batch(Codec codec, int n, int64_t producer_id = -1, int16_t epoch = -1,
                  int32_t sequence = -1) {
  BatchBuilder b(1700000000000);
  for (int i = 0; i < n; ++i) {
    std::string key = "k" + std::to_string(i % 3), value = "value-" + std::to_string(i);
    if (i == 1)
      b.add(key, std::nullopt, 1700000000000 + i);  // a tombstone
    else
      b.add(key, value, 1700000000000 + i, {{"h", std::string_view("v")}});
  }
  std::string plain = b.finish(producer_id, epoch, sequence);
  if (codec == Codec::none) return plain;
  // Re-wrap the records section compressed, with the codec in the attributes and a new CRC.
  std::string records = compress(codec, std::string_view(plain).substr(kBatchHeaderSize));
  std::string out = plain.substr(0, kBatchHeaderSize) + records;
  std::string tmp;
  Writer w(tmp);
  w.i32(int32_t(out.size() - 12));
  out.replace(8, 4, tmp);
  out[22] = char(int(codec));
  tmp.clear();
  w.u32(sluice::crc32c(out.data() + 21, out.size() - 21));
  out.replace(17, 4, tmp);
  return out;
}

std::string crc0(std::string b) {
  b.replace(17, 4, std::string(4, '\0'));
  return b;
}

Body metadata_body(int16_t v, std::vector<std::string> topics, bool all = false) {
  return [=](Writer& w) {
    if (all) {
      w.array_count(v == 0 ? 0 : -1);
    } else {
      w.array_count(int32_t(topics.size()));
      for (auto& t : topics) w.string(t);
    }
    if (v >= 4) w.boolean(true);
    if (v >= 8) {
      w.boolean(false);
      w.boolean(false);
    }
  };
}

Body produce_body(int16_t acks, const std::string& topic, int32_t partition,
                  const std::string& records) {
  return [=](Writer& w) {
    w.nullable_string(std::nullopt);  // transactional id
    w.i16(acks);
    w.i32(30000);
    w.array_count(1);
    w.string(topic);
    w.array_count(1);
    w.i32(partition);
    w.bytes(records);
  };
}

Body fetch_body(int16_t v, const std::string& topic, int32_t partition, int64_t offset,
                int32_t max_wait = 0, int32_t min_bytes = 1) {
  return [=](Writer& w) {
    w.i32(-1);  // replica id
    w.i32(max_wait);
    w.i32(min_bytes);
    w.i32(1 << 20);
    w.i8(0);
    if (v >= 7) {
      w.i32(0);
      w.i32(-1);
    }
    w.array_count(1);
    w.string(topic);
    w.array_count(1);
    w.i32(partition);
    if (v >= 9) w.i32(-1);
    w.i64(offset);
    if (v >= 5) w.i64(-1);
    w.i32(1 << 20);
    if (v >= 7) w.array_count(0);
    if (v >= 11) w.string("");
  };
}

Body create_topics_body(int16_t v, const std::string& name, int32_t partitions,
                        std::vector<std::pair<std::string, std::string>> configs = {}) {
  return [=](Writer& w) {
    w.array_count(1);
    w.string(name);
    w.i32(partitions);
    w.i16(1);
    w.array_count(0);  // assignments
    w.array_count(int32_t(configs.size()));
    for (auto& [k, val] : configs) {
      w.string(k);
      w.nullable_string(val);
    }
    w.i32(30000);
    if (v >= 1) w.boolean(false);
  };
}

Body join_body(int16_t v, const std::string& group, const std::string& member) {
  return [=](Writer& w) {
    w.string(group);
    w.i32(10000);              // session timeout
    if (v >= 1) w.i32(20000);  // rebalance timeout
    w.string(member);
    if (v >= 5) w.nullable_string(std::nullopt);
    w.string("consumer");
    w.array_count(1);
    w.string("range");
    std::string md;
    Writer m(md);
    m.i16(0);
    m.array_count(1);
    m.string("t");
    m.bytes(std::nullopt);
    w.bytes(md);
  };
}

Body sync_body(int16_t v, const std::string& group, int32_t generation, const std::string& member,
               bool leader) {
  return [=](Writer& w) {
    w.string(group);
    w.i32(generation);
    w.string(member);
    if (v >= 3) w.nullable_string(std::nullopt);
    if (leader) {
      w.array_count(1);
      w.string(member);
      std::string a;
      Writer aw(a);
      aw.i16(0);
      aw.array_count(1);
      aw.string("t");
      aw.array_count(2);
      aw.i32(0);
      aw.i32(1);
      aw.bytes(std::nullopt);
      w.bytes(a);
    } else {
      w.array_count(0);
    }
  };
}

Body heartbeat_body(int16_t v, const std::string& group, int32_t generation,
                    const std::string& member) {
  return [=](Writer& w) {
    w.string(group);
    w.i32(generation);
    w.string(member);
    if (v >= 3) w.nullable_string(std::nullopt);
  };
}

Body commit_body(int16_t v, const std::string& group, int32_t generation,
                 const std::string& member) {
  return [=](Writer& w) {
    w.string(group);
    if (v >= 1) {
      w.i32(generation);
      w.string(member);
    }
    if (v >= 7) w.nullable_string(std::nullopt);
    if (v >= 2 && v <= 4) w.i64(-1);
    w.array_count(1);
    w.string("t");
    w.array_count(1);
    w.i32(0);
    w.i64(2);
    if (v >= 6) w.i32(-1);
    if (v == 1) w.i64(-1);
    w.nullable_string("md");
  };
}

Body offset_fetch_body(const std::string& group, bool all) {
  return [=](Writer& w) {
    w.string(group);
    if (all) {
      w.array_count(-1);
    } else {
      w.array_count(1);
      w.string("t");
      w.array_count(2);
      w.i32(0);
      w.i32(1);
    }
  };
}

Body leave_body(int16_t v, const std::string& group, const std::string& member) {
  return [=](Writer& w) {
    w.string(group);
    if (v <= 2) {
      w.string(member);
    } else {
      w.array_count(1);
      w.string(member);
      w.nullable_string(std::nullopt);
    }
  };
}

Body strings_body(std::vector<std::string> items, std::function<void(Writer&)> tail = nullptr) {
  return [=](Writer& w) {
    w.array_count(int32_t(items.size()));
    for (auto& s : items) w.string(s);
    if (tail) tail(w);
  };
}

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  fs::path req = fs::path(argv[1]) / "request", bat = fs::path(argv[1]) / "batch";
  fs::create_directories(req);
  fs::create_directories(bat);
  const std::string t = "t";
  auto make_t = frame(3, 4, metadata_body(4, {t}));  // auto-creates t (2 partitions)

  // Discovery.
  for (int16_t v = 0; v <= 3; ++v)
    write(req, "api_versions_v" + std::to_string(v), frame(18, v, {}));
  write(req, "metadata_v0_all", frame(3, 0, metadata_body(0, {}, true)));
  write(req, "metadata_v1_all", frame(3, 1, metadata_body(1, {}, true)));
  write(req, "metadata_v4_create", make_t);
  write(req, "metadata_v8", frame(3, 8, metadata_body(8, {t, "bad/name"})));
  write(req, "init_producer_id_v1", frame(22, 1, [](Writer& w) {
          w.nullable_string(std::nullopt);
          w.i32(60000);
        }));
  write(req, "find_coordinator_v2", frame(10, 2, [](Writer& w) {
          w.string("g");
          w.i8(0);
        }));

  // Produce and read back, every codec.
  const char* codec_names[] = {"none", "gzip", "snappy", "lz4", "zstd"};
  for (int c = 0; c <= 4; ++c) {
    std::string b = batch(Codec(c), 3);
    write(req, std::string("produce_v7_") + codec_names[c],
          make_t + frame(0, 7, produce_body(-1, t, 0, c == 0 ? b : crc0(b))) +
              frame(1, 11, fetch_body(11, t, 0, 0)));
    write(bat, std::string("batch_") + codec_names[c], std::string(1, char(c << 2)) + b);
    write(bat, std::string("fixup_") + codec_names[c], std::string(1, char(1 | (c << 2))) + b);
    write(bat, std::string("raw_") + codec_names[c],
          std::string(1, char(2 | (c << 2))) + compress(Codec(c), "hello hello hello hello"));
  }
  {
    std::string plain = batch(Codec::none, 4);
    write(bat, "wrap_zstd",
          std::string(1, char(3 | (4 << 2))) + char(4) + plain.substr(kBatchHeaderSize));
    write(bat, "wrap_lz4",
          std::string(1, char(3 | (3 << 2))) + char(4) + plain.substr(kBatchHeaderSize));
  }
  write(req, "produce_v3_acks1",
        make_t + frame(0, 3, produce_body(1, t, 1, crc0(batch(Codec::none, 2)))));
  write(req, "produce_acks0",
        make_t + frame(0, 5, produce_body(0, t, 0, crc0(batch(Codec::none, 1)))));
  write(req, "produce_idempotent",
        make_t +
            frame(22, 0,
                  [](Writer& w) {
                    w.nullable_string(std::nullopt);
                    w.i32(60000);
                  }) +
            frame(0, 7, produce_body(-1, t, 0, crc0(batch(Codec::none, 2, 0, 0, 0)))) +
            frame(0, 7, produce_body(-1, t, 0, crc0(batch(Codec::none, 2, 0, 0, 0)))) +
            frame(0, 7, produce_body(-1, t, 0, crc0(batch(Codec::none, 2, 0, 0, 2)))));
  write(req, "fetch_v4_parked",
        make_t + frame(1, 4, fetch_body(4, t, 0, 0, 500, 1000)) +
            frame(0, 7, produce_body(1, t, 0, crc0(batch(Codec::gzip, 5)))) + tick(100) +
            frame(1, 7, fetch_body(7, t, 0, 3)));
  write(req, "list_offsets",
        make_t + frame(0, 7, produce_body(1, t, 0, crc0(batch(Codec::lz4, 4)))) +
            frame(2, 5,
                  [&](Writer& w) {
                    w.i32(-1);
                    w.i8(0);
                    w.array_count(1);
                    w.string(t);
                    w.array_count(3);
                    for (int64_t ts : {int64_t(-1), int64_t(-2), int64_t(1700000000002)}) {
                      w.i32(0);
                      w.i32(-1);
                      w.i64(ts);
                    }
                  }) +
            frame(2, 0, [&](Writer& w) {
              w.i32(-1);
              w.array_count(1);
              w.string(t);
              w.array_count(1);
              w.i32(1);
              w.i64(-1);
              w.i32(1);
            }));

  // Admin.
  write(req, "create_topics_v4",
        frame(19, 4,
              create_topics_body(4, "c", 3,
                                 {{"cleanup.policy", "compact"}, {"segment.bytes", "1024"}})) +
            frame(0, 7, produce_body(1, "c", 0, crc0(batch(Codec::none, 6)))) +
            frame(0, 7, produce_body(1, "c", 0, crc0(batch(Codec::snappy, 6)))) + tick(1000) +
            frame(1, 11, fetch_body(11, "c", 0, 0)));
  write(req, "create_topics_v0", frame(19, 0, create_topics_body(0, "d", 1)));
  write(req, "create_partitions", make_t + frame(37, 1, [&](Writer& w) {
                                    w.array_count(1);
                                    w.string(t);
                                    w.i32(4);
                                    w.array_count(-1);
                                    w.i32(30000);
                                    w.boolean(false);
                                  }));
  write(req, "delete_topics",
        make_t + frame(20, 3, strings_body({t, "nope"}, [](Writer& w) { w.i32(30000); })));
  write(req, "delete_records",
        make_t + frame(0, 7, produce_body(1, t, 0, crc0(batch(Codec::none, 4)))) +
            frame(21, 1,
                  [&](Writer& w) {
                    w.i32(0);
                    w.array_count(1);
                    w.string(t);
                    w.array_count(1);
                    w.i32(0);
                    w.i64(2);
                    w.i32(30000);
                  }) +
            tick(0, true) + frame(1, 11, fetch_body(11, t, 0, 0)));
  write(req, "describe_configs_v3", make_t + frame(32, 3, [&](Writer& w) {
                                      w.array_count(2);
                                      w.i8(2);  // topic
                                      w.string(t);
                                      w.array_count(-1);
                                      w.i8(4);  // broker
                                      w.string("0");
                                      w.array_count(1);
                                      w.string("log.retention.ms");
                                      w.boolean(true);
                                      w.boolean(false);
                                    }));
  write(req, "alter_configs",
        make_t +
            frame(33, 1,
                  [&](Writer& w) {
                    w.array_count(1);
                    w.i8(2);
                    w.string(t);
                    w.array_count(2);
                    w.string("retention.ms");
                    w.nullable_string("1000");
                    w.string("cleanup.policy");
                    w.nullable_string("compact,delete");
                    w.boolean(false);
                  }) +
            frame(0, 7, produce_body(1, t, 0, crc0(batch(Codec::zstd, 3)))) + tick(100000, true));
  write(req, "incremental_alter_configs", make_t + frame(44, 0, [&](Writer& w) {
                                            w.array_count(1);
                                            w.i8(2);
                                            w.string(t);
                                            w.array_count(2);
                                            w.string("retention.bytes");
                                            w.i8(0);  // set
                                            w.nullable_string("100");
                                            w.string("retention.ms");
                                            w.i8(1);  // delete
                                            w.nullable_string(std::nullopt);
                                            w.boolean(false);
                                          }));

  // A consumer group: join (the first join of a group waits out the initial rebalance delay),
  // sync as leader, heartbeat, commit, fetch offsets, describe, leave, delete. "@0" is the
  // member id the join handed out (the harness substitutes it).
  for (int16_t v : {int16_t(0), int16_t(3), int16_t(5)}) {
    std::string s = make_t + frame(11, v, join_body(v, "g", ""));
    if (v >= 4) s += frame(11, v, join_body(v, "g", "@0"));
    s += tick(3500);
    int16_t sv = v >= 3 ? 3 : 0, hv = v >= 3 ? 3 : 0;
    s += frame(14, sv, sync_body(sv, "g", 1, "@0", true));
    s += frame(12, hv, heartbeat_body(hv, "g", 1, "@0"));
    s += frame(8, v >= 3 ? 7 : 2, commit_body(v >= 3 ? 7 : 2, "g", 1, "@0"));
    s += frame(9, 5, offset_fetch_body("g", false));
    s += frame(15, 4, strings_body({"g"}, [](Writer& w) { w.boolean(true); }));
    s += frame(16, 2, {});
    s += frame(13, v >= 3 ? 3 : 0, leave_body(v >= 3 ? 3 : 0, "g", "@0"));
    s += frame(42, 1, strings_body({"g"}));
    write(req, "group_v" + std::to_string(v), s);
  }
  // Two members, a rebalance, a session expiry, and committed offsets across a restart.
  write(req, "group_two_members",
        make_t + frame(11, 3, join_body(3, "h", "")) + tick(3500) +
            frame(14, 3, sync_body(3, "h", 1, "@0", true)) + frame(11, 3, join_body(3, "h", "")) +
            frame(11, 3, join_body(3, "h", "@0")) + tick(100) +
            frame(14, 3, sync_body(3, "h", 2, "@0", true)) +
            frame(14, 3, sync_body(3, "h", 2, "@1", false)) +
            frame(8, 7, commit_body(7, "h", 2, "@1")) + tick(60000) +
            frame(8, 0, commit_body(0, "h", -1, "")) + tick(0, true) +
            frame(9, 1, offset_fetch_body("h", false)) + frame(9, 5, offset_fetch_body("h", true)));

  // SASL/PLAIN: v1 handshake + SaslAuthenticate, and v0 handshake + raw token.
  std::string token = std::string("\0fuzz\0fuzz", 10);
  write(req, "sasl_v1",
        frame(17, 1, [](Writer& w) { w.string("PLAIN"); }) +
            frame(36, 1, [&](Writer& w) { w.bytes(token); }) + frame(3, 1, metadata_body(1, {t})));
  {
    std::string raw;
    Writer w(raw);
    w.i32(int32_t(token.size()));
    w.raw(token);
    write(req, "sasl_v0",
          frame(17, 0, [](Writer& w) { w.string("PLAIN"); }) + raw + frame(18, 2, {}));
  }
  write(req, "sasl_before_auth",
        frame(17, 1, [](Writer& w) { w.string("PLAIN"); }) + frame(3, 1, metadata_body(1, {t})));
  return 0;
}
