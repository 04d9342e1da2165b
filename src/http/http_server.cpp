#include "http/http_server.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/log.h"
#include "http/router.h"

namespace sluice::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

constexpr const char* kLog = "http";
constexpr size_t kMaxConnections = 128;
constexpr uint64_t kBodyLimit = 16 << 20;  // a connector config is a few KB
constexpr int kIdleSeconds = 120;          // a keep-alive connection with nothing to say

std::pair<std::string, uint16_t> split_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw std::invalid_argument(fmt::format("'{}' is not HOST:PORT", listen));
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535)
    throw std::invalid_argument(fmt::format("'{}' has no valid port", listen));
  return {host, uint16_t(port)};
}

Request to_request(const bhttp::request<bhttp::string_body>& m) {
  Request r;
  r.method = std::string(m.method_string());
  r.target = std::string(m.target());
  std::string_view t = r.target;
  auto q = t.find('?');
  r.path = url_decode(t.substr(0, q));
  if (q != std::string_view::npos) {
    std::string_view qs = t.substr(q + 1);
    while (!qs.empty()) {
      auto amp = qs.find('&');
      std::string_view kv = qs.substr(0, amp);
      auto eq = kv.find('=');
      std::string k = url_decode(kv.substr(0, eq), true);
      std::string v = eq == std::string_view::npos ? "" : url_decode(kv.substr(eq + 1), true);
      auto [it, fresh] = r.query.emplace(k, v);
      if (!fresh) it->second += "," + v;
      if (amp == std::string_view::npos) break;
      qs.remove_prefix(amp + 1);
    }
  }
  for (const auto& f : m) {
    std::string name(f.name_string());
    for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  r.body = m.body();
  return r;
}

}  // namespace

struct HttpServer::Impl {
  const Router& router;
  std::string host;
  uint16_t port = 0;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread accept_thread;
  std::mutex mu;  // guards the fields below
  bool stopping = false;
  uint64_t next_id = 1;
  struct Conn {
    std::thread thread;
    int fd = -1;
  };
  std::map<uint64_t, Conn> conns;
  std::vector<uint64_t> finished;

  explicit Impl(const Router& r) : router(r) {}

  void reap() {  // mu held
    for (uint64_t id : finished) {
      auto it = conns.find(id);
      if (it == conns.end()) continue;
      if (it->second.thread.joinable()) it->second.thread.join();
      conns.erase(it);
    }
    finished.clear();
  }

  void accept_loop() {
    for (;;) {
      tcp::socket sock(io);
      beast::error_code ec;
      acceptor.accept(sock, ec);
      std::lock_guard lock(mu);
      if (stopping) return;
      if (ec) continue;
      reap();
      if (conns.size() >= kMaxConnections) {
        log::warn(kLog, "refusing a connection: {} open", conns.size());
        continue;  // the socket closes as it leaves scope
      }
      uint64_t id = next_id++;
      Conn& c = conns[id];
      c.fd = sock.native_handle();
      c.thread = std::thread([this, id, s = std::move(sock)]() mutable {
        serve(s);
        beast::error_code ignored;
        s.shutdown(tcp::socket::shutdown_both, ignored);
        std::lock_guard l(mu);
        if (auto it = conns.find(id); it != conns.end()) it->second.fd = -1;
        s.close(ignored);
        finished.push_back(id);
      });
    }
  }

  void serve(tcp::socket& sock) {
    timeval tv{kIdleSeconds, 0};
    setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    beast::flat_buffer buf;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(kBodyLimit);
      parser.header_limit(64 * 1024);
      beast::error_code ec;
      bhttp::read(sock, buf, parser, ec);
      if (ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset ||
          ec == asio::error::eof)
        return;
      if (ec) {
        // A malformed request: tell the client why, then close this connection only.
        if (ec != asio::error::would_block && ec != asio::error::try_again &&
            ec != asio::error::timed_out && ec != asio::error::operation_aborted &&
            ec != asio::error::bad_descriptor) {
          int status = ec == bhttp::error::body_limit ? 413 : 400;
          Response r = json_error(status, fmt::format("Bad request: {}", ec.message()));
          write(sock, r, 11, false);
        }
        return;
      }
      auto& msg = parser.get();
      Request req = to_request(msg);
      Response resp = router.handle(req);
      bool keep = msg.keep_alive();
      if (!write(sock, resp, msg.version(), keep) || !keep) return;
    }
  }

  static bool write(tcp::socket& sock, const Response& r, unsigned version, bool keep) {
    bhttp::response<bhttp::string_body> res{bhttp::int_to_status(unsigned(r.status)), version};
    res.set(bhttp::field::server, "sluice");
    if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(keep);
    res.body() = r.body;
    res.prepare_payload();
    beast::error_code ec;
    bhttp::write(sock, res, ec);
    return !ec;
  }
};

HttpServer::HttpServer(const Router& router, const std::string& listen)
    : impl_(std::make_unique<Impl>(router)) {
  auto [host, port] = split_listen(listen);
  beast::error_code ec;
  auto addr = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) throw std::invalid_argument(fmt::format("'{}' is not an IP address", host));
  tcp::endpoint ep(addr, port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot listen on {}: {}", listen, ec.message()));
  impl_->host = host;
  impl_->port = impl_->acceptor.local_endpoint().port();
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
}

void HttpServer::stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) return;
    impl_->stopping = true;
    for (auto& [_, c] : impl_->conns)
      if (c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);  // wakes its blocking read
  }
  // Wake the blocking accept() with a connection of our own, then close the listener.
  if (impl_->accept_thread.joinable()) {
    beast::error_code ec;
    tcp::socket poke(impl_->io);
    auto ep = impl_->acceptor.local_endpoint(ec);
    if (!ec) {
      if (ep.address().is_unspecified())
        ep.address(ep.protocol() == tcp::v4()
                       ? asio::ip::address(asio::ip::address_v4::loopback())
                       : asio::ip::address(asio::ip::address_v6::loopback()));
      poke.connect(ep, ec);
    }
    impl_->accept_thread.join();
  }
  beast::error_code ec;
  impl_->acceptor.close(ec);
  std::map<uint64_t, Impl::Conn> conns;
  {
    std::lock_guard lock(impl_->mu);
    conns.swap(impl_->conns);
  }
  for (auto& [_, c] : conns)
    if (c.thread.joinable()) c.thread.join();
}

uint16_t HttpServer::port() const { return impl_->port; }

}  // namespace sluice::http
