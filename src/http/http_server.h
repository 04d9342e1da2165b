// The HTTP/1.1 listener of `sluice run` (Kafka Connect's port, 8083 by default): Boost.Beast
// parses and writes the messages over plain sockets, one thread per connection (few clients:
// curl, scripts, the console), keep-alive, bounded bodies, and deadlines on every wait (idle
// connections 120 s, a begun request or response 30 s). Beast stays inside http_server.cpp.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace sluice::http {

class Router;

class HttpServer {
 public:
  // listen: "HOST:PORT" (port 0 picks a free one). Throws with a clear message when it cannot
  // bind.
  HttpServer(const Router& router, const std::string& listen);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  void stop();  // closes the listener and every connection, joins their threads
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::http
