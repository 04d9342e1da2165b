// Rate-paced producer measuring per-message produce latency: from the rd_kafka_producev() call to
// the delivery report. Messages sent during the warm-up are not counted. Prints one line:
//   sent N delivered N failed N rate R msg/s (M MiB/s) behind B ms latency ms p50 X p99 Y p999 Z
//   max W
// Usage: produce_latency BROKERS TOPIC [--size BYTES] [--rate MSG/S] [--seconds N] [--warmup N]
//                        [--acks A] [-X PROP=VALUE]...
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void sleep_until(int64_t t) {
  timespec ts{time_t(t / 1000000000), long(t % 1000000000)};
  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
}

struct State {
  std::vector<int64_t> sent_at;  // per message index
  std::vector<int64_t> latency;  // per message index, -1 until delivered
  size_t delivered = 0, failed = 0;
  const char* first_error = nullptr;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* st = static_cast<State*>(opaque);
  size_t i = reinterpret_cast<uintptr_t>(m->_private);
  if (m->err) {
    ++st->failed;
    if (!st->first_error) st->first_error = rd_kafka_err2str(m->err);
    return;
  }
  ++st->delivered;
  st->latency[i] = now_ns() - st->sent_at[i];
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: produce_latency BROKERS TOPIC [--size BYTES] [--rate MSG/S] [--seconds N]"
               " [--warmup N] [--acks A] [-X PROP=VALUE]...\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) usage();
  std::string brokers = argv[1], topic = argv[2], acks = "-1";
  size_t size = 1024;
  double rate = 51200, seconds = 10, warmup = 1;
  std::vector<std::pair<std::string, std::string>> props;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage();
    std::string v = argv[++i];
    if (a == "--size")
      size = std::stoul(v);
    else if (a == "--rate")
      rate = std::stod(v);
    else if (a == "--seconds")
      seconds = std::stod(v);
    else if (a == "--warmup")
      warmup = std::stod(v);
    else if (a == "--acks")
      acks = v;
    else if (a == "-X" && v.find('=') != std::string::npos)
      props.emplace_back(v.substr(0, v.find('=')), v.substr(v.find('=') + 1));
    else
      usage();
  }
  if (rate <= 0 || seconds <= 0 || warmup < 0) usage();

  State st;
  size_t total = size_t(rate * (warmup + seconds));
  size_t first_counted = size_t(rate * warmup);
  st.sent_at.assign(total, 0);
  st.latency.assign(total, -1);

  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "produce_latency: %s=%s: %s\n", k.c_str(), v.c_str(), err);
      std::exit(2);
    }
  };
  set("bootstrap.servers", brokers);
  set("acks", acks);
  set("queue.buffering.max.messages", "1000000");
  set("queue.buffering.max.kbytes", "2097151");
  for (auto& [k, v] : props) set(k, v);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, &st);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    std::fprintf(stderr, "produce_latency: %s\n", err);
    return 1;
  }

  // Wait for the topic's metadata (auto-created by the first request) before the clock starts.
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  for (int tries = 0; tries < 50; ++tries) {
    if (rd_kafka_metadata(rk, 0, rkt, &md, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      bool ok = md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                md->topics[0].partition_cnt > 0;
      rd_kafka_metadata_destroy(md);
      if (ok) break;
    }
    rd_kafka_poll(rk, 100);
  }

  std::string payload(size, 'x');
  const int64_t interval_ns = int64_t(1e9 / rate);
  const int64_t t0 = now_ns();
  int64_t behind_max = 0;  // how far the sender ever fell behind its schedule
  for (size_t i = 0; i < total;) {
    int64_t now = now_ns();
    int64_t due_at = t0 + int64_t(i) * interval_ns;
    if (due_at > now) {
      rd_kafka_poll(rk, 0);
      // Sleep to the next message's time, in slices of at most 200 us to keep polling.
      sleep_until(std::min(due_at, now_ns() + 200000));
      continue;
    }
    if (i >= first_counted) behind_max = std::max(behind_max, now - due_at);
    st.sent_at[i] = now;
    rd_kafka_resp_err_t e =
        rd_kafka_producev(rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_VALUE(payload.data(), payload.size()),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(uintptr_t(i))), RD_KAFKA_V_END);
    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 1);
      continue;
    }
    if (e) {
      std::fprintf(stderr, "produce_latency: produce failed: %s\n", rd_kafka_err2str(e));
      return 1;
    }
    ++i;
    if (i % 64 == 0) rd_kafka_poll(rk, 0);
  }
  const int64_t t_end_send = now_ns();
  rd_kafka_flush(rk, 60000);
  size_t in_queue = size_t(rd_kafka_outq_len(rk));
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);

  std::vector<int64_t> lat;
  lat.reserve(total - first_counted);
  for (size_t i = first_counted; i < total; ++i)
    if (st.latency[i] >= 0) lat.push_back(st.latency[i]);
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    if (lat.empty()) return 0.0;
    size_t k = std::min(lat.size() - 1, size_t(p * double(lat.size())));
    return double(lat[k]) / 1e6;
  };
  double send_s = double(t_end_send - t0) / 1e9;
  double achieved = double(total) / send_s;
  std::printf(
      "sent %zu delivered %zu failed %zu undelivered %zu rate %.0f msg/s (%.1f MiB/s) behind %.1f "
      "ms latency ms p50 %.2f p99 %.2f p999 %.2f max %.2f\n",
      total, st.delivered, st.failed, in_queue, achieved, achieved * double(size) / 1048576.0,
      double(behind_max) / 1e6, pct(0.50), pct(0.99), pct(0.999),
      lat.empty() ? 0.0 : double(lat.back()) / 1e6);
  if (st.failed)
    std::fprintf(stderr, "produce_latency: first delivery error: %s\n", st.first_error);
  return st.failed || in_queue ? 1 : 0;
}
