// One transaction of 1,000,000 rows: every row arrives once, in order, with bounded memory.
#include <fmt/format.h>

#include <fstream>

#include "harness.h"

namespace sluice::test {
namespace {

class LargeTransaction : public CaptureTest {};

TEST_F(LargeTransaction, OneMillionRowsInOneTransaction) {
  sql("CREATE TABLE big (id int PRIMARY KEY, v text)");
  auto cfg = connector_file(
      R"("key.converter.schemas.enable":"false","value.converter.schemas.enable":"false")");
  create_slot();
  sql("INSERT INTO big SELECT i, 'v' || i FROM generate_series(1, 1000000) i");
  std::string out = dir + "/out.jsonl";
  Proc p = spawn_sluice({"capture", cfg, "--output", out, "--max-events", "1000000"});
  // Peak memory must not grow with the transaction: sample the child's RSS while it runs.
  long peak_kb = 0;
  int rc = -1;
  for (int i = 0; i < 3000 && rc == -1; ++i) {
    std::ifstream status(fmt::format("/proc/{}/status", p.pid));
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("VmRSS:", 0) == 0) peak_kb = std::max(peak_kb, std::stol(line.substr(6)));
    rc = p.wait(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(rc, 0) << p.stderr_text();
#ifndef SLUICE_SANITIZED  // ASan's quarantine holds freed memory, so RSS says nothing there
  EXPECT_LT(peak_kb, 200 * 1024) << "RSS grew with the transaction";
#else
  (void)peak_kb;
#endif
  std::ifstream in(out);
  std::string line;
  int64_t n = 0;
  int64_t txid = -1;
  while (std::getline(in, line)) {
    ++n;
    auto id_at = line.find("\"after\":{\"id\":");
    ASSERT_NE(id_at, std::string::npos);
    EXPECT_EQ(std::stoll(line.substr(id_at + 14)), n) << "rows out of order or missing";
    auto tx_at = line.find("\"txId\":");
    int64_t t = std::stoll(line.substr(tx_at + 7));
    if (txid == -1) txid = t;
    ASSERT_EQ(t, txid);
    if (n != 1 && n % 250000 != 0) continue;
  }
  EXPECT_EQ(n, 1000000);
}

}  // namespace
}  // namespace sluice::test
