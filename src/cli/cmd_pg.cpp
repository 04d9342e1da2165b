#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "core/log.h"
#include "pg/local_cluster.h"

namespace sluice::cli {

int pg_up(const PgUpArgs& a) {
  try {
    pg::LocalCluster cluster(a.dir, a.port);
    std::string info = cluster.up();
    std::printf("%s\n", info.c_str());
    return 0;
  } catch (const std::exception& e) {
    log::error("pg", "{}", e.what());
    return 1;
  }
}

int pg_down(const std::string& dir, bool keep) {
  try {
    pg::LocalCluster::down_dir(dir, keep);
    return 0;
  } catch (const std::exception& e) {
    log::error("pg", "{}", e.what());
    return 1;
  }
}

}  // namespace sluice::cli
