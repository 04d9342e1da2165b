#include <signal.h>

#include <atomic>
#include <exception>
#include <fstream>
#include <sstream>

#include "cdc/source_connector.h"
#include "cli/commands.h"
#include "core/log.h"
#include "pg/pgoutput.h"

namespace sluice::cli {

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }
}  // namespace

int capture(const CaptureArgs& a) {
  std::ifstream in(a.connector_file);
  if (!in) {
    log::error("capture", "cannot read connector config {}", a.connector_file);
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    auto config = cdc::ConnectorConfig::from_json(text.str());
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
    cdc::CaptureOptions opts;
    opts.output_path = a.output;
    opts.max_events = a.max_events;
    opts.stop = &g_stop;
    cdc::SourceConnector connector(std::move(config), opts);
    return connector.run();
  } catch (const cdc::ConfigError& e) {
    log::error("capture", "invalid connector config: {}", e.what());
    return 2;
  } catch (const cdc::FatalError& e) {
    log::error("capture", "{}", e.what());
    return 1;
  } catch (const pg::ProtocolError& e) {
    log::error("capture", "unexpected replication data: {}", e.what());
    return 1;
  } catch (const std::exception& e) {
    log::error("capture", "{}", e.what());
    return 1;
  }
}

}  // namespace sluice::cli
