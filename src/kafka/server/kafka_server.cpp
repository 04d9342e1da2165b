#include "kafka/server/kafka_server.h"

#include <fmt/format.h>

#include <asio.hpp>
#include <atomic>
#include <deque>
#include <map>
#include <thread>

#include "core/big_endian.h"
#include "core/host_port.h"
#include "core/log.h"
#include "kafka/errors.h"
#include "kafka/server/dispatch.h"
#include "kafka/server/sasl_plain.h"

namespace sluice::kafka {

namespace {

constexpr const char* kLog = "kafka";
constexpr size_t kMaxPending = 128;  // answers owed before we stop reading a connection

using asio::ip::tcp;

class Connection;

}  // namespace

struct KafkaServer::Impl : Scheduler {
  Broker& broker;
  const ApiTable& apis;
  std::string host;
  uint16_t port = 0;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::atomic<size_t> open_connections{0};
  uint64_t next_timer = 1;
  std::map<uint64_t, std::shared_ptr<asio::steady_timer>> timers;

  Impl(Broker& b, const ApiTable& a) : broker(b), apis(a) {}

  void post(std::function<void()> fn) override { asio::post(io, std::move(fn)); }
  TimerId after(int64_t ms, std::function<void()> fn) override {
    auto t = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(ms));
    TimerId id = next_timer++;
    timers[id] = t;
    t->async_wait([this, id, fn = std::move(fn)](const asio::error_code& ec) {
      if (ec) return;
      timers.erase(id);
      fn();
    });
    return id;
  }
  void cancel(TimerId id) override {
    auto it = timers.find(id);
    if (it == timers.end()) return;
    it->second->cancel();
    timers.erase(it);
  }
  void accept();
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(KafkaServer::Impl& server, tcp::socket sock)
      : server_(server), sock_(std::move(sock)) {
    asio::error_code ec;
    auto ep = sock_.remote_endpoint(ec);
    session_.client_host = ec ? "unknown" : ep.address().to_string();
    peer_ = ec ? "unknown" : fmt::format("{}:{}", session_.client_host, ep.port());
    session_.authenticated = server_.broker.config.sasl_users.empty();
    sock_.set_option(tcp::no_delay(true), ec);
    ++server_.open_connections;
  }
  ~Connection() { --server_.open_connections; }

  void start() { read_size(); }

 private:
  struct Pending {
    int32_t correlation_id = 0;
    bool done = false;
    bool skip = false;   // acks=0: no answer
    bool close = false;  // close the connection after this (and its body, if any)
    bool raw = false;    // body goes out as it is, without size and correlation id
    std::string body;
  };

  void fail(const std::string& why) {
    if (closed_) return;
    log::warn(kLog, "closing connection from {}: {}", peer_, why);
    close_now();
  }
  void close_now() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ec;
    sock_.shutdown(tcp::socket::shutdown_both, ec);
    sock_.close(ec);
  }

  void read_size() {
    if (closed_ || reading_) return;
    if (pending_.size() >= kMaxPending) return;  // resumed when answers drain
    reading_ = true;
    asio::async_read(sock_, asio::buffer(size_buf_, 4),
                     [self = shared_from_this()](const asio::error_code& ec, size_t) {
                       self->reading_ = false;
                       if (ec) return self->close_now();  // peer went away
                       int32_t n = get_be<int32_t>(self->size_buf_);
                       if (n < (self->raw_sasl_next_ ? 1 : 8) ||
                           n > self->server_.broker.config.max_request_bytes)
                         return self->fail(fmt::format("frame size {} out of range", n));
                       self->read_body(size_t(n));
                     });
  }

  void read_body(size_t n) {
    frame_.resize(n);
    reading_ = true;
    asio::async_read(sock_, asio::buffer(frame_),
                     [self = shared_from_this()](const asio::error_code& ec, size_t) {
                       self->reading_ = false;
                       if (ec) return self->close_now();
                       try {
                         self->handle();
                       } catch (const WireError& e) {
                         return self->fail(std::string("malformed request: ") + e.what());
                       } catch (const std::exception& e) {
                         return self->fail(std::string("request failed: ") + e.what());
                       }
                       self->read_size();
                     });
  }

  void handle() {
    std::string frame = std::move(frame_);
    if (raw_sasl_next_) return handle_raw_sasl(frame);
    auto d = dispatch(frame, server_.broker, session_, server_.apis,
                      [this](const RequestHeader& h) { return responder_for(h); });
    if (d.kind == DispatchResult::Kind::reject) return fail(d.reason);
    if (d.kind == DispatchResult::Kind::unsupported_api_versions) {
      auto p = std::make_shared<Pending>();
      p->correlation_id = d.header.correlation_id;
      p->done = true;
      p->body = api_versions_unsupported(server_.apis);
      pending_.push_back(p);
      return pump();
    }
    if (session_.sasl_handshake_done && session_.sasl_handshake_version == 0 &&
        !session_.authenticated)
      raw_sasl_next_ = true;  // handshake v0: the next frame is a bare PLAIN token
  }

  // A slot in the in-order answer queue, filled from whichever thread completes the request.
  Responder responder_for(const RequestHeader& h) {
    auto p = std::make_shared<Pending>();
    p->correlation_id = h.correlation_id;
    pending_.push_back(p);
    std::weak_ptr<Connection> weak = weak_from_this();
    auto* io = &server_.io;
    return Responder::make([weak, p, io](Responder::Outcome o, std::string body) {
      asio::post(*io, [weak, p, o, body = std::move(body)]() mutable {
        auto self = weak.lock();
        if (!self) return;
        p->done = true;
        p->skip = o == Responder::Outcome::none || (o == Responder::Outcome::close && body.empty());
        p->close = o == Responder::Outcome::close;
        p->body = std::move(body);
        self->pump();
      });
    });
  }

  void handle_raw_sasl(const std::string& token) {
    raw_sasl_next_ = false;
    std::string user, error;
    if (!sasl_plain_check(server_.broker.config, token, &user, &error))
      return fail("SASL/PLAIN authentication failed: " + error);
    session_.authenticated = true;
    session_.principal = user;
    // A raw token answer: an empty server token, framed by its length alone.
    auto p = std::make_shared<Pending>();
    p->done = true;
    p->raw = true;
    p->body = std::string(4, '\0');
    pending_.push_back(p);
    pump();
  }

  // Moves completed answers from the front, in order, to the socket.
  void pump() {
    while (!pending_.empty() && pending_.front()->done) {
      auto p = pending_.front();
      pending_.pop_front();
      if (p->raw) {
        queue_write(std::move(p->body));
      } else if (!p->skip) {
        std::string out;
        Writer w(out);
        w.i32(int32_t(p->body.size() + 4));
        w.i32(p->correlation_id);
        queue_write(std::move(out));
        queue_write(std::move(p->body));
      }
      if (p->close) {
        close_after_write_ = true;
        pending_.clear();
        break;
      }
    }
    write();
    if (!close_after_write_) read_size();
  }

  void queue_write(std::string s) {
    if (!s.empty()) queued_.push_back(std::move(s));
  }

  void write() {
    if (writing_ || closed_) return;
    if (queued_.empty()) {
      if (close_after_write_) close_now();
      return;
    }
    writing_ = true;
    in_flight_.clear();
    std::vector<asio::const_buffer> bufs;
    while (!queued_.empty() && in_flight_.size() < 64) {
      in_flight_.push_back(std::move(queued_.front()));
      queued_.pop_front();
    }
    for (auto& s : in_flight_) bufs.emplace_back(asio::buffer(s));
    asio::async_write(sock_, bufs, [self = shared_from_this()](const asio::error_code& ec, size_t) {
      self->writing_ = false;
      if (ec) return self->close_now();
      self->write();
    });
  }

  KafkaServer::Impl& server_;
  tcp::socket sock_;
  Session session_;
  std::string peer_;
  char size_buf_[4];
  std::string frame_;
  std::deque<std::shared_ptr<Pending>> pending_;
  std::deque<std::string> queued_;
  std::vector<std::string> in_flight_;
  bool reading_ = false, writing_ = false, closed_ = false, close_after_write_ = false;
  bool raw_sasl_next_ = false;
};

}  // namespace

void KafkaServer::Impl::accept() {
  acceptor.async_accept([this](const asio::error_code& ec, tcp::socket sock) {
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      log::warn(kLog, "accept failed: {}", ec.message());
    } else {
      std::make_shared<Connection>(*this, std::move(sock))->start();
    }
    accept();
  });
}

KafkaServer::KafkaServer(Broker& broker, const ApiTable& apis, const std::string& listen)
    : impl_(std::make_unique<Impl>(broker, apis)) {
  auto [host, port] = parse_host_port(listen);
  impl_->host = host;
  impl_->port = port;
  broker.scheduler = impl_.get();
  broker.apis = &apis;
}

KafkaServer::~KafkaServer() { stop(); }

void KafkaServer::start() {
  asio::error_code ec;
  auto addr = asio::ip::make_address(impl_->host, ec);
  if (ec)
    throw std::runtime_error(
        fmt::format("cannot listen on {}: not an IP address ({})", impl_->host, ec.message()));
  tcp::endpoint ep(addr, impl_->port);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep, ec);
  if (ec)
    throw std::runtime_error(
        fmt::format("cannot listen on {}:{}: {}", impl_->host, impl_->port, ec.message()));
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  impl_->port = impl_->acceptor.local_endpoint().port();
  if (impl_->broker.config.port == 0 || impl_->broker.config.port != impl_->port)
    impl_->broker.config.port = impl_->port;
  impl_->work.emplace(impl_->io.get_executor());
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

void KafkaServer::stop() {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->io, [this] {
    asio::error_code ec;
    impl_->acceptor.close(ec);
    for (auto& [_, t] : impl_->timers) t->cancel();
    impl_->timers.clear();
  });
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t KafkaServer::port() const { return impl_->port; }
Scheduler& KafkaServer::scheduler() { return *impl_; }
size_t KafkaServer::connections() const { return impl_->open_connections; }

}  // namespace sluice::kafka
