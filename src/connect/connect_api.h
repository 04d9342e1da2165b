// Kafka Connect's REST resources (/, /connectors…, /connector-plugins…) over a Worker, with
// Connect's paths, status codes, bodies and {"error_code","message"} errors.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "http/http_types.h"

namespace sluice::http {
class Router;
}

namespace sluice::connect {

class Worker;

struct ConnectInfo {
  std::string version = "0.1.0";
  std::string commit = "sluice";
  std::string kafka_cluster_id;
  // Asked first for GET /: the console answers browsers there (nullopt: Connect's JSON).
  std::function<std::optional<http::Response>(const http::Request&)> root_override;
};

void add_connect_api(http::Router& router, Worker& worker, ConnectInfo info);

}  // namespace sluice::connect
