// sluice: change capture from PostgreSQL as Debezium events. This file only parses the command
// line (CLI11 is heavy, so it stays in this one translation unit).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "core/log.h"

int main(int argc, char** argv) {
  CLI::App app{"sluice: PostgreSQL change capture, Debezium-compatible"};
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log debug messages");

  auto* pg = app.add_subcommand("pg", "A throwaway local PostgreSQL for development and tests");
  pg->require_subcommand(1);
  sluice::cli::PgUpArgs up;
  auto* pg_up =
      pg->add_subcommand("up", "Create (once) and start a cluster; prints its connection string");
  pg_up->add_option("--dir", up.dir, "Directory for the cluster")->required();
  pg_up->add_option("--port", up.port, "TCP port on 127.0.0.1 (default: a free one)");
  std::string down_dir;
  bool keep = false;
  auto* pg_down = pg->add_subcommand("down", "Stop a cluster and remove its directory");
  pg_down->add_option("--dir", down_dir, "Directory of the cluster")->required();
  pg_down->add_flag("--keep", keep, "Stop only; keep the data");

  sluice::cli::CaptureArgs cap;
  auto* capture = app.add_subcommand(
      "capture", "Stream one Debezium PostgreSQL connector's change events as JSON lines");
  capture
      ->add_option("connector", cap.connector_file,
                   "Connector config: Kafka Connect JSON or a flat property object")
      ->required();
  capture->add_option("-o,--output", cap.output,
                      "Append records to FILE (durable, exactly once across restarts; position "
                      "in FILE.pos); default standard output");
  capture->add_option("--max-events", cap.max_events, "Exit after N records");

  sluice::cli::DemoArgs demo;
  auto* demo_cmd = app.add_subcommand(
      "demo",
      "Capture seed 001's transactions table on a throwaway PostgreSQL with generated "
      "changes, printing a live tail");
  demo_cmd->add_option("--dir", demo.dir,
                       "Keep the demo's files here (default: a temporary "
                       "directory, removed at the end)");
  demo_cmd->add_option("--duration", demo.duration_s, "Stop after N seconds (default: Ctrl-C)");
  demo_cmd->add_option("--seed", demo.seed, "Seed for the generated data");
  demo_cmd->add_option("--kafka-listen", demo.kafka_listen,
                       "Kafka listener (default 127.0.0.1:9092; a free port when taken)");
  demo_cmd->add_option("--http-listen", demo.http_listen,
                       "REST API and console (default 127.0.0.1:8083; a free port when taken)");

  sluice::cli::RunArgs run;
  auto* run_cmd = app.add_subcommand(
      "run", "The server: durable topics, a Kafka-compatible listener and source connectors");
  run_cmd->add_option("--data-dir", run.data_dir, "Directory of the log (default sluice-data)");
  run_cmd->add_option("--kafka-listen", run.kafka_listen,
                      "HOST:PORT of the Kafka listener (default 127.0.0.1:9092; port 0: any)");
  run_cmd->add_option("--advertised-host", run.advertised_host,
                      "Host name given to clients in metadata (default: the listen host)");
  run_cmd->add_option("--http-listen", run.http_listen,
                      "HOST:PORT of Kafka Connect's REST API and the web console (default "
                      "127.0.0.1:8083)");
  run_cmd->add_option("--port-file", run.port_file,
                      "Write the Kafka port (line 1) and the HTTP port (line 2) to FILE");
  run_cmd->add_option("--connector", run.connectors, "Connector config file (repeatable)");
  run_cmd->add_option("--kafka-bootstrap", run.kafka_bootstrap,
                      "HOST:PORT of a Kafka cluster the connectors write to instead of the "
                      "embedded log");
  run_cmd->add_option("--partitions", run.partitions,
                      "Partitions of auto-created topics (num.partitions, default 1)");
  run_cmd->add_flag("--no-auto-create", run.no_auto_create,
                    "Refuse metadata requests for unknown topics instead of creating them");
  run_cmd->add_option("--topic-default", run.topic_defaults,
                      "NAME=VALUE default for a topic config, e.g. retention.ms=3600000");
  run_cmd->add_option("--sasl-user", run.sasl_users,
                      "USER:PASSWORD; with any, clients must authenticate with SASL/PLAIN");
  run_cmd->add_option("--group-initial-rebalance-delay-ms", run.group_initial_rebalance_delay_ms,
                      "Wait for more members before the first rebalance of a group (default "
                      "3000)");
  sluice::cli::GenerateArgs gen;
  auto* gen_cmd = app.add_subcommand(
      "generate",
      "Write realistic fake rows into the seeds' schemas: a stream of inserts, updates and "
      "deletes, repeatable with --seed");
  gen_cmd->add_option("dataset", gen.dataset,
                      "transactions (seed 001), inventory (003), candidates (000), survey (004) "
                      "or hired_employees (002); see --list");
  gen_cmd->add_option("--db", gen.db,
                      "libpq connection string (default: the PG* environment variables and "
                      "libpq's defaults)");
  gen_cmd->add_flag("--create", gen.create,
                    "Create the dataset's schema and tables first, with the seed's initial rows "
                    "(only what does not exist yet)");
  gen_cmd->add_option("--rate", gen.rate, "Changes per second (default: as fast as possible)");
  gen_cmd->add_option("--count", gen.count, "Stop after N changes (default: until Ctrl-C)");
  gen_cmd->add_option("--mix", gen.mix,
                      "Weights of INSERTS,UPDATES,DELETES (default 70,20,10); an update or "
                      "delete with no row to change becomes an insert");
  gen_cmd->add_option("--seed", gen.seed,
                      "Seed (default 1): the same seed, dataset, mix and count on a fresh schema "
                      "give the same rows");
  gen_cmd->add_flag("--list", gen.list, "List the datasets and their tables");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // `sluice generate` exits with 2 on bad arguments, as on its other usage errors.
    return rc != 0 && gen_cmd->parsed() ? 2 : rc;
  }
  if (verbose) sluice::log::set_level(sluice::log::Level::debug);

  if (pg_up->parsed()) return sluice::cli::pg_up(up);
  if (pg_down->parsed()) return sluice::cli::pg_down(down_dir, keep);
  if (capture->parsed()) return sluice::cli::capture(cap);
  if (demo_cmd->parsed()) return sluice::cli::demo(demo);
  if (run_cmd->parsed()) return sluice::cli::run(run);
  if (gen_cmd->parsed()) return sluice::cli::generate(gen);
  return 1;
}
