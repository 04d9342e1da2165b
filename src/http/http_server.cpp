#include "http/http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "core/host_port.h"
#include "core/log.h"
#include "http/router.h"

namespace sluice::http {

namespace {

namespace bhttp = boost::beast::http;

constexpr const char* kLog = "http";
constexpr size_t kMaxConnections = 128;
constexpr uint64_t kBodyLimit = 16 << 20;  // a connector config is a few KB
constexpr int kIdleMs = 120'000;           // a keep-alive connection with nothing to say
constexpr int kRequestMs = 30'000;         // a request (or a response) that has begun

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

// Waits up to ms for fd to be readable (or writable); false on timeout or error.
bool wait_for(int fd, short events, int ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    int r = ::poll(&p, 1, ms);
    if (r < 0 && errno == EINTR) continue;
    return r > 0;
  }
}

// Reads what is there, waiting at most ms. 0: the peer closed; -1: timeout or error.
ssize_t read_some(int fd, char* buf, size_t size, int ms) {
  if (!wait_for(fd, POLLIN, ms)) return -1;
  for (;;) {
    ssize_t n = ::recv(fd, buf, size, 0);
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

bool send_all(int fd, std::string_view data) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kRequestMs);
  while (!data.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0 || !wait_for(fd, POLLOUT, int(left))) return false;
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(size_t(n));
  }
  return true;
}

std::string serialize(const Response& r, unsigned version, bool keep) {
  bhttp::response<bhttp::string_body> res{bhttp::int_to_status(unsigned(r.status)), version};
  res.set(bhttp::field::server, "sluice");
  if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(keep);
  if (r.status != 204 && r.status != 304 && r.status >= 200) {
    res.body() = r.body;
    res.prepare_payload();
  }
  std::ostringstream out;
  out << res;
  return out.str();
}

}  // namespace

struct HttpServer::Impl {
  const Router& router;
  int listen_fd = -1;
  uint16_t port = 0;
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
      int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      std::unique_lock lock(mu);
      if (stopping) {
        if (fd >= 0) ::close(fd);
        return;
      }
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        // Out of descriptors or memory: do not spin, the condition usually passes.
        log::warn(kLog, "accept failed: {}", std::strerror(errno));
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      reap();
      if (conns.size() >= kMaxConnections) {
        lock.unlock();
        log::warn(kLog, "refusing a connection: {} open", kMaxConnections);
        send_all(fd, serialize(json_error(503, "Too many connections"), 11, false));
        ::close(fd);
        continue;
      }
      int one = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      uint64_t id = next_id++;
      Conn& c = conns[id];
      c.fd = fd;
      try {
        c.thread = std::thread([this, id, fd] {
          try {
            serve(fd);
          } catch (const std::exception& e) {
            log::warn(kLog, "connection closed: {}", e.what());
          } catch (...) {
            log::warn(kLog, "connection closed after an unknown error");
          }
          std::lock_guard l(mu);
          if (auto it = conns.find(id); it != conns.end()) it->second.fd = -1;
          ::close(fd);
          finished.push_back(id);
        });
      } catch (const std::exception& e) {
        log::warn(kLog, "cannot serve a connection: {}", e.what());
        conns.erase(id);
        ::close(fd);
      }
    }
  }

  // Answers a malformed request and closes: the rest of what the client sent is drained
  // briefly, so the answer is not lost to a reset.
  static void refuse(int fd, int status, const std::string& why) {
    send_all(fd, serialize(json_error(status, why), 11, false));
    ::shutdown(fd, SHUT_WR);
    char sink[16384];
    for (size_t drained = 0; drained < (1 << 20);) {
      ssize_t n = read_some(fd, sink, sizeof sink, 1000);
      if (n <= 0) break;
      drained += size_t(n);
    }
  }

  void serve(int fd) {
    std::string pending;  // bytes read and not yet parsed
    char buf[65536];
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(kBodyLimit);
      parser.header_limit(64 * 1024);
      bool started = false;
      while (!parser.is_done()) {
        boost::beast::error_code ec;
        if (!pending.empty()) {
          size_t used = parser.put(boost::asio::buffer(pending), ec);
          pending.erase(0, used);
          if (!ec) continue;
          if (ec != bhttp::error::need_more) {
            refuse(fd, ec == bhttp::error::body_limit ? 413 : 400,
                   fmt::format("Bad request: {}", ec.message()));
            return;
          }
        }
        ssize_t n = read_some(fd, buf, sizeof buf, started ? kRequestMs : kIdleMs);
        if (n < 0) return;  // idle too long, or a request too slow
        if (n == 0) {       // the peer closed
          if (started) {
            parser.put_eof(ec);
            if (!ec && parser.is_done()) break;
          }
          return;
        }
        started = true;
        pending.append(buf, size_t(n));
      }
      auto& msg = parser.get();
      Response resp = router.handle(to_request(msg));
      bool keep = msg.keep_alive();
      if (!send_all(fd, serialize(resp, msg.version(), keep)) || !keep) return;
    }
  }
};

HttpServer::HttpServer(const Router& router, const std::string& listen)
    : impl_(std::make_unique<Impl>(router)) {
  auto [host, port] = parse_host_port(listen);
  if (host == "localhost") host = "127.0.0.1";
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    throw std::invalid_argument(fmt::format("'{}' is not an IP address", host));
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(fmt::format("socket: {}", std::strerror(errno)));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, SOMAXCONN) != 0) {
    int e = errno;
    ::close(fd);
    throw std::runtime_error(fmt::format("cannot listen on {}: {}", listen, std::strerror(e)));
  }
  len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  impl_->port = ntohs(family == AF_INET ? v4->sin_port : v6->sin6_port);
  impl_->listen_fd = fd;
}

HttpServer::~HttpServer() {
  stop();
  if (impl_->listen_fd >= 0) ::close(impl_->listen_fd);
}

void HttpServer::start() {
  impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
}

void HttpServer::stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) return;
    impl_->stopping = true;
    for (auto& [_, c] : impl_->conns)
      if (c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);  // wakes its poll
  }
  // On Linux, shutting a listening socket down wakes a thread blocked in accept().
  ::shutdown(impl_->listen_fd, SHUT_RDWR);
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
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
