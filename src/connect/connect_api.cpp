#include "connect/connect_api.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "connect/validation.h"
#include "connect/worker.h"
#include "http/router.h"

namespace sluice::connect {

namespace {

using http::Params;
using http::Request;
using http::Response;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(Writer& w, std::string_view s) { w.String(s.data(), rapidjson::SizeType(s.size())); }

void write_config(Writer& w, const Properties& config) {
  w.StartObject();
  for (const auto& [k, v] : config) {
    w.Key(k.c_str(), rapidjson::SizeType(k.size()));
    put(w, v);
  }
  w.EndObject();
}

// ConnectorInfo: {"name","config","tasks":[{"connector","task"}],"type"}.
void write_info(Writer& w, const ConnectorStatusView& v) {
  w.StartObject();
  w.Key("name");
  put(w, v.name);
  w.Key("config");
  write_config(w, v.config);
  w.Key("tasks");
  w.StartArray();
  if (v.target != TargetState::stopped) {
    w.StartObject();
    w.Key("connector");
    put(w, v.name);
    w.Key("task");
    w.Int(0);
    w.EndObject();
  }
  w.EndArray();
  w.Key("type");
  put(w, "source");
  w.EndObject();
}

void write_state(Writer& w, const std::string& state, const std::string& trace,
                 const std::string& worker_id) {
  w.Key("state");
  put(w, state);
  w.Key("worker_id");
  put(w, worker_id);
  if (!trace.empty()) {
    w.Key("trace");
    put(w, trace);
  }
}

void write_status(Writer& w, const ConnectorStatusView& v, const std::string& worker_id) {
  w.StartObject();
  w.Key("name");
  put(w, v.name);
  w.Key("connector");
  w.StartObject();
  write_state(w, v.state, v.trace, worker_id);
  w.EndObject();
  w.Key("tasks");
  w.StartArray();
  if (v.task) {
    w.StartObject();
    w.Key("id");
    w.Int(0);
    write_state(w, v.task->state, v.task->trace, worker_id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("type");
  put(w, "source");
  w.EndObject();
}

Response ok_json(int status, const rapidjson::StringBuffer& sb) {
  return http::json_body(status, sb.GetString());
}

// A JSON object of strings (numbers and booleans are taken as their text, as Connect does).
Properties parse_config(const rapidjson::Value& o) {
  Properties props;
  for (auto it = o.MemberBegin(); it != o.MemberEnd(); ++it) {
    std::string k(it->name.GetString(), it->name.GetStringLength());
    const auto& v = it->value;
    if (v.IsString())
      props[k] = std::string(v.GetString(), v.GetStringLength());
    else if (v.IsBool())
      props[k] = v.GetBool() ? "true" : "false";
    else if (v.IsInt64())
      props[k] = std::to_string(v.GetInt64());
    else if (v.IsNumber())
      props[k] = fmt::format("{}", v.GetDouble());
    else if (v.IsNull())
      continue;
    else
      throw ConnectError(400, fmt::format("Configuration {} must be a string", k));
  }
  return props;
}

rapidjson::Document parse_body(const Request& req) {
  rapidjson::Document d;
  d.Parse(req.body.c_str(), req.body.size());
  if (d.HasParseError())
    throw ConnectError(
        400, fmt::format("Request body is not valid JSON: {} at offset {}",
                         req.body.empty() ? "no body" : "unexpected content", d.GetErrorOffset()));
  return d;
}

bool flag(const Request& req, const char* name) { return req.param(name) == "true"; }

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Turns a ConnectError (or anything else) into Connect's error body.
template <typename Fn>
http::Handler guarded(Fn fn) {
  return [fn](const Request& req, const Params& p) -> Response {
    try {
      return fn(req, p);
    } catch (const ConnectError& e) {
      return http::json_error(e.status(), e.what());
    }
  };
}

}  // namespace

void add_connect_api(http::Router& r, Worker& worker, ConnectInfo info) {
  Worker* wk = &worker;
  const std::string worker_id = worker.options().worker_id;

  r.add("GET", "/connectors", guarded([wk, worker_id](const Request& req, const Params&) {
          std::string expand = req.param("expand");
          bool with_status = expand.find("status") != std::string::npos;
          bool with_info = expand.find("info") != std::string::npos;
          rapidjson::StringBuffer sb;
          Writer w(sb);
          if (!with_status && !with_info) {
            w.StartArray();
            for (const auto& n : wk->names()) put(w, n);
            w.EndArray();
            return ok_json(200, sb);
          }
          w.StartObject();
          for (const auto& v : wk->statuses()) {
            w.Key(v.name.c_str(), rapidjson::SizeType(v.name.size()));
            w.StartObject();
            if (with_status) {
              w.Key("status");
              write_status(w, v, worker_id);
            }
            if (with_info) {
              w.Key("info");
              write_info(w, v);
            }
            w.EndObject();
          }
          w.EndObject();
          return ok_json(200, sb);
        }));

  r.add("POST", "/connectors", guarded([wk](const Request& req, const Params&) {
          auto d = parse_body(req);
          if (!d.IsObject()) throw ConnectError(400, "The request body must be a JSON object");
          std::string name;
          if (d.HasMember("name") && d["name"].IsString()) name = trim(d["name"].GetString());
          if (!d.HasMember("config") || !d["config"].IsObject())
            throw ConnectError(400, "The request body needs \"name\" and a \"config\" object");
          Properties config = parse_config(d["config"]);
          TargetState initial = TargetState::running;
          if (d.HasMember("initial_state")) {
            auto s = d["initial_state"].IsString()
                         ? parse_target_state(d["initial_state"].GetString())
                         : std::nullopt;
            if (!s || d["initial_state"].GetString() == std::string("STARTED"))
              throw ConnectError(400, "initial_state must be RUNNING, PAUSED or STOPPED");
            initial = *s;
          }
          wk->create(name, std::move(config), initial);
          rapidjson::StringBuffer sb;
          Writer w(sb);
          write_info(w, wk->status(name));
          Response resp = ok_json(201, sb);
          resp.headers.emplace_back("Location", "/connectors/" + name);
          return resp;
        }));

  r.add("GET", "/connectors/{}", guarded([wk](const Request&, const Params& p) {
          rapidjson::StringBuffer sb;
          Writer w(sb);
          write_info(w, wk->status(p[0]));
          return ok_json(200, sb);
        }));

  r.add("DELETE", "/connectors/{}", guarded([wk](const Request&, const Params& p) {
          wk->remove(p[0]);
          return http::no_content(204);
        }));

  r.add("GET", "/connectors/{}/config", guarded([wk](const Request&, const Params& p) {
          rapidjson::StringBuffer sb;
          Writer w(sb);
          write_config(w, wk->config(p[0]));
          return ok_json(200, sb);
        }));

  r.add("PUT", "/connectors/{}/config", guarded([wk](const Request& req, const Params& p) {
          auto d = parse_body(req);
          if (!d.IsObject()) throw ConnectError(400, "The request body must be a JSON object");
          bool created = wk->put_config(p[0], parse_config(d));
          rapidjson::StringBuffer sb;
          Writer w(sb);
          write_info(w, wk->status(p[0]));
          Response resp = ok_json(created ? 201 : 200, sb);
          if (created) resp.headers.emplace_back("Location", "/connectors/" + p[0]);
          return resp;
        }));

  r.add("PATCH", "/connectors/{}/config", guarded([wk](const Request& req, const Params& p) {
          auto d = parse_body(req);
          if (!d.IsObject()) throw ConnectError(400, "The request body must be a JSON object");
          std::map<std::string, std::optional<std::string>> changes;
          for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it)
            if (it->value.IsNull()) changes[it->name.GetString()] = std::nullopt;  // removes
          for (auto& [k, v] : parse_config(d)) changes[k] = v;
          wk->patch_config(p[0], changes);
          rapidjson::StringBuffer sb;
          Writer w(sb);
          write_info(w, wk->status(p[0]));
          return ok_json(200, sb);
        }));

  r.add("GET", "/connectors/{}/status", guarded([wk, worker_id](const Request&, const Params& p) {
          rapidjson::StringBuffer sb;
          Writer w(sb);
          write_status(w, wk->status(p[0]), worker_id);
          return ok_json(200, sb);
        }));

  r.add("GET", "/connectors/{}/tasks", guarded([wk](const Request&, const Params& p) {
          auto v = wk->status(p[0]);
          rapidjson::StringBuffer sb;
          Writer w(sb);
          w.StartArray();
          if (v.target != TargetState::stopped) {
            w.StartObject();
            w.Key("id");
            w.StartObject();
            w.Key("connector");
            put(w, v.name);
            w.Key("task");
            w.Int(0);
            w.EndObject();
            w.Key("config");
            Properties task = v.config;
            task["task.class"] = "io.debezium.connector.postgresql.PostgresConnectorTask";
            write_config(w, task);
            w.EndObject();
          }
          w.EndArray();
          return ok_json(200, sb);
        }));

  r.add("GET", "/connectors/{}/tasks/{}/status",
        guarded([wk, worker_id](const Request&, const Params& p) {
          auto v = wk->status(p[0]);
          if (p[1] != "0" || !v.task)
            throw ConnectError(404, fmt::format("Task {}-{} not found", p[0], p[1]));
          rapidjson::StringBuffer sb;
          Writer w(sb);
          w.StartObject();
          w.Key("id");
          w.Int(0);
          write_state(w, v.task->state, v.task->trace, worker_id);
          w.EndObject();
          return ok_json(200, sb);
        }));

  r.add("POST", "/connectors/{}/tasks/{}/restart", guarded([wk](const Request&, const Params& p) {
          auto v = wk->status(p[0]);
          if (p[1] != "0" || !v.task)
            throw ConnectError(404, fmt::format("Task {}-{} not found", p[0], p[1]));
          wk->restart(p[0], true, false);
          return http::no_content(204);
        }));

  r.add("GET", "/connectors/{}/topics", guarded([wk](const Request&, const Params& p) {
          auto topics = wk->topics(p[0]);
          rapidjson::StringBuffer sb;
          Writer w(sb);
          w.StartObject();
          w.Key(p[0].c_str(), rapidjson::SizeType(p[0].size()));
          w.StartObject();
          w.Key("topics");
          w.StartArray();
          for (const auto& t : topics) put(w, t);
          w.EndArray();
          w.EndObject();
          w.EndObject();
          return ok_json(200, sb);
        }));

  r.add("PUT", "/connectors/{}/pause", guarded([wk](const Request&, const Params& p) {
          wk->pause(p[0]);
          return http::no_content(202);
        }));
  r.add("PUT", "/connectors/{}/resume", guarded([wk](const Request&, const Params& p) {
          wk->resume(p[0]);
          return http::no_content(202);
        }));
  r.add("PUT", "/connectors/{}/stop", guarded([wk](const Request&, const Params& p) {
          wk->stop(p[0]);
          return http::no_content(204);  // Kafka's stopConnector returns nothing
        }));

  r.add("POST", "/connectors/{}/restart",
        guarded([wk, worker_id](const Request& req, const Params& p) {
          bool include_tasks = flag(req, "includeTasks"), only_failed = flag(req, "onlyFailed");
          if (!include_tasks && !only_failed) {
            wk->restart(p[0], false, false);
            return http::no_content(204);
          }
          wk->restart(p[0], include_tasks, only_failed);
          rapidjson::StringBuffer sb;
          Writer w(sb);
          write_status(w, wk->status(p[0]), worker_id);
          return ok_json(202, sb);
        }));

  r.add("GET", "/connectors/{}/offsets", guarded([wk](const Request&, const Params& p) {
          return http::json_body(200, wk->offsets_json(p[0]));
        }));
  r.add("DELETE", "/connectors/{}/offsets", guarded([wk](const Request&, const Params& p) {
          wk->reset_offsets(p[0]);
          return http::json_body(
              200, R"({"message":"The offsets for this connector have been reset successfully"})");
        }));
  r.add("PATCH", "/connectors/{}/offsets", guarded([wk](const Request& req, const Params& p) {
          wk->alter_offsets(p[0], req.body);
          return http::json_body(
              200,
              R"({"message":"The offsets for this connector have been altered successfully"})");
        }));

  r.add("GET", "/connector-plugins", guarded([](const Request&, const Params&) {
          return http::json_body(200, "[" + plugin_json() + "]");
        }));
  r.add("PUT", "/connector-plugins/{}/config/validate",
        guarded([wk](const Request& req, const Params& p) {
          if (!known_class(p[0]))
            throw ConnectError(404, fmt::format("Failed to find any class that implements "
                                                "Connector and which name matches {}",
                                                p[0]));
          auto d = parse_body(req);
          if (!d.IsObject()) throw ConnectError(400, "The request body must be a JSON object");
          Properties config = parse_config(d);
          if (!config.count("connector.class")) config["connector.class"] = p[0];
          if (!known_class(config["connector.class"]) ||
              (config["connector.class"] != p[0] &&
               std::string(kPostgresClass).find(p[0]) == std::string::npos))
            throw ConnectError(400, fmt::format("Included connector type {} does not match "
                                                "request type {}",
                                                config["connector.class"], p[0]));
          Validation v = validate(config, wk->options().check_database);
          return http::json_body(200, validation_json(config, v));
        }));

  r.add("GET", "/", [info](const Request& req, const Params&) {
    if (info.root_override)
      if (auto page = info.root_override(req)) return *page;
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("version");
    put(w, info.version);
    w.Key("commit");
    put(w, info.commit);
    w.Key("kafka_cluster_id");
    put(w, info.kafka_cluster_id);
    w.EndObject();
    return ok_json(200, sb);
  });
}

}  // namespace sluice::connect
