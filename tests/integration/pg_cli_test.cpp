// `sluice pg up` / `sluice pg down` as a user runs them.
#include <sys/stat.h>

#include <filesystem>

#include "harness.h"

namespace sluice::test {
namespace {

TEST(PgCli, UpPrintsAConnectionStringAndDownRemovesTheCluster) {
  std::string root = scratch_dir("sluice-pgcli");
  std::string dir = root + "/pg";
  Proc up = spawn_sluice({"pg", "up", "--dir", dir}, root + "/up.out");
  ASSERT_EQ(up.wait(std::chrono::seconds(120)), 0) << up.stderr_text();
  std::string info = read_text(root + "/up.out");
  while (!info.empty() && info.back() == '\n') info.pop_back();
  ASSERT_NE(info.find("host=127.0.0.1"), std::string::npos) << info;
  {
    pg::Connection c(info);
    EXPECT_EQ(c.exec("SHOW wal_level").str(0, 0), "logical");
    EXPECT_EQ(c.exec("SHOW listen_addresses").str(0, 0), "127.0.0.1");
  }
  // Running up again on a running cluster is harmless and prints the same string.
  Proc again = spawn_sluice({"pg", "up", "--dir", dir}, root + "/up2.out");
  ASSERT_EQ(again.wait(std::chrono::seconds(60)), 0) << again.stderr_text();
  EXPECT_EQ(read_text(root + "/up2.out"), info + "\n");
  Proc down = spawn_sluice({"pg", "down", "--dir", dir});
  ASSERT_EQ(down.wait(std::chrono::seconds(60)), 0) << down.stderr_text();
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_THROW(pg::Connection c(info), pg::Error);
  // A directory without a cluster is a clear error.
  Proc bad = spawn_sluice({"pg", "down", "--dir", root + "/nothing"});
  EXPECT_EQ(bad.wait(std::chrono::seconds(30)), 1);
  EXPECT_NE(bad.stderr_text().find("holds no sluice PostgreSQL cluster"), std::string::npos);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace sluice::test
