// `sluice generate`: realistic fake rows written into the seeds' schemas (src/gen,
// docs/generate.md), with a progress line every 5 s and a summary on stderr.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "cli/commands.h"
#include "core/log.h"
#include "gen/generator.h"

namespace sluice::cli {

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

// "70,20,10": three non-negative integers, at least one positive.
bool parse_mix(const std::string& text, gen::Mix& mix) {
  int values[3] = {};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    auto [next, ec] = std::from_chars(p, end, values[i]);
    if (ec != std::errc() || values[i] < 0) return false;
    p = next;
    if (i < 2) {
      if (p == end || *p != ',') return false;
      ++p;
    }
  }
  if (p != end || values[0] + values[1] + values[2] <= 0) return false;
  mix = {values[0], values[1], values[2]};
  return true;
}

std::string joined_names() {
  std::string out;
  for (const auto& n : gen::dataset_names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

int generate(const GenerateArgs& a) {
  if (a.list) {
    for (const auto& d : gen::datasets()) {
      std::string tables;
      for (const auto& t : d.tables) tables += (tables.empty() ? "" : ", ") + t;
      std::printf("%-16s seed %s: %s\n%-16s %s\n", d.name.c_str(), d.seed.c_str(),
                  d.description.c_str(), "", tables.c_str());
    }
    return 0;
  }
  if (a.dataset.empty()) {
    log::error("generate", "name a dataset: {} (see --list)", joined_names());
    return 2;
  }
  auto names = gen::dataset_names();
  if (std::find(names.begin(), names.end(), a.dataset) == names.end()) {
    log::error("generate", "unknown dataset '{}'; the datasets are: {}", a.dataset, joined_names());
    return 2;
  }
  gen::Options o;
  o.dataset = a.dataset;
  o.seed = a.seed;
  o.create = a.create;
  if (!parse_mix(a.mix, o.mix)) {
    log::error("generate",
               "--mix {}: expected INSERTS,UPDATES,DELETES, three non-negative integers (weights) "
               "of which one at least is positive, e.g. 70,20,10",
               a.mix);
    return 2;
  }
  if (!std::isfinite(a.rate) || a.rate < 0) {
    log::error("generate",
               "--rate must be a number of changes per second, 0 or more (0: as fast as possible)");
    return 2;
  }
  if (a.count < -1) {
    log::error("generate", "--count must be a number of changes, 0 or more");
    return 2;
  }
  o.rate = a.rate;
  o.count = a.count;

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  o.stop = &g_stop;

  // Progress every 5 s on long runs.
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  auto next_report = start + std::chrono::seconds(5);
  gen::Stats seen;
  o.on_change = [&](const std::string& kind, const std::string&) {
    if (kind == "insert")
      ++seen.inserts;
    else if (kind == "update")
      ++seen.updates;
    else
      ++seen.deletes;
    auto now = Clock::now();
    if (now < next_report) return;
    next_report = now + std::chrono::seconds(5);
    int64_t total = seen.inserts + seen.updates + seen.deletes;
    double s = std::chrono::duration<double>(now - start).count();
    log::info("generate", "{}: {} changes ({} inserts, {} updates, {} deletes), {:.0f}/s",
              a.dataset, total, seen.inserts, seen.updates, seen.deletes, total / s);
  };

  gen::Stats st;
  try {
    st = gen::generate(a.db, o);
  } catch (const std::invalid_argument& e) {
    log::error("generate", "{}", e.what());
    return 2;
  } catch (const std::exception& e) {
    log::error("generate", "{}", e.what());
    return 1;
  }
  int64_t total = st.inserts + st.updates + st.deletes;
  log::info("generate", "{}: {} inserts, {} updates, {} deletes in {:.2f} s ({:.0f} rows/s)",
            a.dataset, st.inserts, st.updates, st.deletes, st.seconds,
            st.seconds > 0 ? double(total) / st.seconds : 0.0);
  return 0;
}

}  // namespace sluice::cli
