#include "faxd/http/server.hpp"

#include <fmt/format.h>
#include <atomic>
#include <deque>
#include <limits>
#include <map>
#include <mutex>

#include <poll.h>

#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "faxd/common/address_rules.hpp"
#include "tls_context.hpp"

namespace faxd::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

// Headers every response carries (see docs/reliability.md, web security).
void add_security_headers(bhttp::response_header<>& h, bool tls) {
  h.set("X-Content-Type-Options", "nosniff");
  if (tls) h.set(bhttp::field::strict_transport_security, "max-age=31536000");
  h.set("X-Frame-Options", "DENY");
  h.set("Referrer-Policy", "no-referrer");
  if (h.find("Content-Security-Policy") == h.end())
    h.set("Content-Security-Policy", content_security_policy());
  if (h.find(bhttp::field::cache_control) == h.end())
    h.set(bhttp::field::cache_control, "no-store");
}

}  // namespace

class Server::Impl : public std::enable_shared_from_this<Server::Impl> {
 public:
  Impl(asio::io_context& io, ServerOptions o, const Router& r, WorkRunner run)
      : io_(io),
        options_(std::move(o)),
        router_(r),
        run_(std::move(run)),
        acceptor_(io),
        trusted_(options_.trusted_proxies) {}

  Result<void> start() {
    if (auto r = reload_tls(); !r) return r;
    boost::system::error_code ec;
    const auto addr = asio::ip::make_address(options_.listen.host, ec);
    if (ec) return fail(Errc::invalid_argument, "http.listen: bad address");
    const tcp::endpoint ep(addr, options_.listen.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && addr.is_v6()) acceptor_.set_option(asio::ip::v6_only(false), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return fail(Errc::io, fmt::format("cannot listen on {}: {}", options_.listen.to_string(),
                                        ec.message()));
    port_ = acceptor_.local_endpoint().port();
    do_accept();
    return {};
  }

  void stop() {
    asio::post(io_, [self = shared_from_this()] {
      boost::system::error_code ec;
      self->acceptor_.close(ec);
      self->stopping_ = true;
    });
  }

  // Loads the certificate and key again; on failure the running ones stay. Connections already
  // open keep the context they started with.
  Result<void> reload_tls() {
    if (options_.tls_cert.empty()) return {};
    auto ctx = load_tls(options_.tls_cert, options_.tls_key);
    if (!ctx) return std::unexpected(ctx.error());
    std::lock_guard lock(tls_mutex_);
    tls_ = std::move(*ctx);
    return {};
  }
  std::shared_ptr<ssl::context> tls() {
    std::lock_guard lock(tls_mutex_);
    return tls_;
  }

  bool stopping() const { return stopping_; }
  std::uint16_t port() const { return port_; }
  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  void run_work(std::function<void()> f) { run_(std::move(f)); }
  std::atomic<int> connections{0};

  // Per-address connection counts: taken on accept, given back by the connection's destructor.
  bool take_address_slot(const IpAddress& peer) {
    if (trusted_.contains(peer)) return true;  // a proxy carries many clients
    std::lock_guard lock(per_address_mutex_);
    int& n = per_address_[peer.to_string()];
    if (n >= options_.max_connections_per_address) {
      if (n == 0) per_address_.erase(peer.to_string());
      return false;
    }
    ++n;
    return true;
  }
  void give_address_slot(const IpAddress& peer) {
    if (trusted_.contains(peer)) return;
    std::lock_guard lock(per_address_mutex_);
    auto it = per_address_.find(peer.to_string());
    if (it != per_address_.end() && --it->second <= 0) per_address_.erase(it);
  }

  // The client behind a trusted proxy: the rightmost X-Forwarded-For entry that is not itself a
  // trusted proxy (the ones to its left are whatever the client claimed).
  std::string client_address(const std::string& peer, std::string_view forwarded) const {
    boost::system::error_code ec;
    const auto peer_ip = asio::ip::make_address(peer, ec);
    if (ec || forwarded.empty() || !trusted_.contains(peer_ip)) return peer;
    std::string client = peer;
    while (!forwarded.empty()) {
      const auto comma = forwarded.rfind(',');
      auto item = forwarded.substr(comma == std::string_view::npos ? 0 : comma + 1);
      forwarded = comma == std::string_view::npos ? std::string_view{} : forwarded.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      const auto ip = asio::ip::make_address(std::string(item), ec);
      if (ec) break;  // garbage: trust nothing further left
      client = unwrap_v4(ip).to_string();
      if (!trusted_.contains(ip)) break;
    }
    return client;
  }

  void set_observer(RequestObserver o) {
    std::lock_guard lock(observer_mutex_);
    observer_ = std::move(o);
  }
  void observe(const Request& r, int status, std::chrono::microseconds took) {
    std::lock_guard lock(observer_mutex_);
    if (observer_) observer_(r, status, took);
  }

 private:
  void do_accept() {
    acceptor_.async_accept(
        asio::make_strand(io_),
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
          self->on_accept(ec, std::move(s));
        });
  }
  void on_accept(boost::system::error_code ec, tcp::socket socket);

  asio::io_context& io_;
  ServerOptions options_;
  const Router& router_;
  WorkRunner run_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex observer_mutex_;
  RequestObserver observer_;
  std::mutex tls_mutex_;
  std::shared_ptr<ssl::context> tls_;  // null: plain HTTP
  AddressSet trusted_;
  Clock::time_point last_cap_log_{};  // accept handler only
  std::mutex per_address_mutex_;
  std::map<std::string, int, std::less<>> per_address_;
};

namespace {

// What a streaming response needs of its connection, whatever the transport (plain or TLS).
class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  virtual ~ConnectionBase() = default;
  // Called on the connection's strand.
  virtual void push_chunk(std::string chunk) = 0;
  virtual void finish_stream() = 0;
  virtual void abort_stream() = 0;
  virtual asio::any_io_executor executor() = 0;
};

// Chunked streaming for server-sent events; chunks cross to the connection's strand.
class ChunkWriter final : public StreamWriter {
 public:
  explicit ChunkWriter(std::weak_ptr<ConnectionBase> c) : conn_(std::move(c)) {}
  bool write(std::string chunk) override;
  void close() override;
  bool closed() const override { return closed_; }
  std::size_t queued_bytes() const override { return queued_; }
  void abort() override;
  void mark_closed() { closed_ = true; }
  void sent(std::size_t bytes) { queued_ -= bytes; }

 private:
  std::weak_ptr<ConnectionBase> conn_;
  std::atomic<bool> closed_{false};
  std::atomic<std::size_t> queued_{0};
};

// One client connection over Stream: PlainStream, or TlsStream (handshake first).
template <class Stream>
class Connection final : public ConnectionBase {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  // `peer` holds a per-address slot (Impl::take_address_slot), given back on destruction.
  Connection(tcp::socket s, std::shared_ptr<Server::Impl> server, IpAddress peer,
             std::shared_ptr<ssl::context> tls = nullptr)
      : stream_(make_stream(std::move(s), tls.get())),
        tls_(std::move(tls)),
        server_(std::move(server)),
        peer_(peer),
        remote_(peer.to_string()) {
    ++server_->connections;
  }
  ~Connection() override {
    --server_->connections;
    server_->give_address_slot(peer_);
    if (writer_) writer_->mark_closed();
  }

  void start() {
    if constexpr (kTls) {
      lowest().expires_after(first_head_timeout());
      stream_.async_handshake(ssl::stream_base::server, [self = self()](beast::error_code ec) {
        if (ec) return self->close();  // plain HTTP or a bad client: nothing to answer
        self->do_read_header();
      });
    } else {
      do_read_header();
    }
  }

  void push_chunk(std::string chunk) override {
    chunks_.push_back(std::move(chunk));
    if (chunks_.size() == 1) write_next_chunk();
  }
  void finish_stream() override {
    finishing_ = true;
    if (chunks_.empty()) write_last_chunk();
  }
  void abort_stream() override { close(); }
  asio::any_io_executor executor() override { return stream_.get_executor(); }

 private:
  static Stream make_stream(tcp::socket s, ssl::context* tls) {
    if constexpr (kTls)
      return Stream(std::move(s), *tls);
    else
      return Stream(std::move(s));
  }
  std::shared_ptr<Connection> self() {
    return std::static_pointer_cast<Connection>(shared_from_this());
  }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  // A new connection gets a short while for its first request head (or TLS handshake): idle
  // connections cannot hold slots for long.
  std::chrono::seconds first_head_timeout() const {
    return std::min(server_->options().first_byte_timeout, server_->options().header_timeout);
  }
  tcp::socket& socket() { return lowest().socket(); }

  void do_read_header() {
    if (server_->stopping() && requests_ > 0) return close();
    header_parser_.emplace();
    header_parser_->header_limit(static_cast<std::uint32_t>(server_->options().header_limit));
    // The route's own limit is applied once the head is known (see on_header). Not boost::none:
    // Beast 1.74 compares a body length against a disabled (none) limit as over it, so every
    // request with a body would fail as malformed.
    header_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    lowest().expires_after(requests_ == 0 ? first_head_timeout() : server_->options().idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *header_parser_,
        [self = self()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) {
      if (ec == bhttp::error::header_limit)
        return send_error(431, "header_too_large", "request headers are too large");
      if (ec != bhttp::error::end_of_stream && ec != beast::error::timeout &&
          ec != asio::error::connection_reset && ec != asio::error::eof && requests_ == 0)
        return send_error(400, "bad_request", "malformed HTTP request");
      return close();
    }
    started_ = Clock::now();
    auto& head = header_parser_->get();
    std::string_view target = head.target();
    const auto q = target.find('?');
    const std::size_t limit = server_->router().body_limit(
        std::string(head.method_string()), url_decode(target.substr(0, q), false).value_or(""));
    if (header_parser_->content_length() && *header_parser_->content_length() > limit)
      return send_error(413, "too_large",
                        fmt::format("the request body is over the limit of {} bytes", limit));
    if (bhttp::token_list{head[bhttp::field::expect]}.exists("100-continue")) {
      auto cont =
          std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      bhttp::async_write(stream_, *cont, [self = self(), cont](beast::error_code e, std::size_t) {
        if (e) return self->close();
        self->read_body(0);
      });
      return;
    }
    read_body(limit);
  }

  void read_body(std::size_t limit) {
    if (limit == 0) {
      auto& head = header_parser_->get();
      std::string_view target = head.target();
      limit = server_->router().body_limit(
          std::string(head.method_string()),
          url_decode(target.substr(0, target.find('?')), false).value_or(""));
    }
    parser_.emplace(std::move(*header_parser_));
    parser_->body_limit(limit);
    lowest().expires_after(server_->options().body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = self()](beast::error_code ec, std::size_t) { self->on_body(ec); });
  }

  void on_body(beast::error_code ec) {
    if (ec == bhttp::error::body_limit)
      return send_error(413, "too_large", "the request body is over the limit");
    if (ec) return close();
    ++requests_;
    lowest().expires_never();
    auto msg = parser_->release();
    auto req = std::make_shared<Request>();
    req->method = std::string(msg.method_string());
    req->target = std::string(msg.target());
    const auto q = req->target.find('?');
    auto path = url_decode(std::string_view(req->target).substr(0, q), false);
    if (!path) return send_error(400, "bad_request", "malformed percent-encoding in the path");
    req->path = std::move(*path);
    if (q != std::string::npos)
      req->query = parse_query(std::string_view(req->target).substr(q + 1));
    for (const auto& f : msg)
      req->headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    req->body = std::move(msg.body());
    req->peer_address = remote_;
    req->remote_address = server_->client_address(remote_, req->header("X-Forwarded-For"));
    req->secure = kTls;
    // While the request is answered no read is pending, so the socket stays open: a poll for
    // the peer's FIN (POLLRDHUP, seen even with unread bytes) tells whether anyone still waits.
    req->client_gone = [fd = socket().native_handle(), weak = weak_from_this()] {
      auto alive = weak.lock();
      if (!alive) return true;
      pollfd p{fd, POLLRDHUP, 0};
      return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
    };
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    // The handler may block on the store: run it on the worker pool, answer on our strand.
    server_->run_work([self = self(), req] {
      Response res;
      try {
        res = self->server_->router().dispatch(*req);
      } catch (const std::exception& e) {
        spdlog::error("http.handler_exception path={} error={}", req->path, e.what());
        res = Response::error(500, "internal", "internal error");
      }
      auto answer = [self, req](Response r) {
        asio::post(self->executor(),
                   [self, req, r = std::move(r)]() mutable { self->respond(*req, std::move(r)); });
      };
      if (res.deferred) {
        auto later = std::move(res.deferred);
        try {
          later(std::move(answer));
        } catch (const std::exception& e) {
          spdlog::error("http.deferred_exception path={} error={}", req->path, e.what());
        }
        return;
      }
      answer(std::move(res));
    });
  }

  void respond(const Request& req, Response res) {
    server_->observe(
        req, res.status,
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_));
    if (res.on_stream) return start_stream(std::move(res));
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(version_);
    out->result(static_cast<unsigned>(res.status));
    out->set(bhttp::field::server, "faxd");
    for (auto& [k, v] : res.headers) out->insert(k, v);
    add_security_headers(out->base(), kTls);
    const bool head_only = req.method == "HEAD";
    out->body() = head_only ? std::string{} : std::move(res.body);
    out->keep_alive(keep_alive_ && !server_->stopping());
    out->prepare_payload();
    if (head_only) out->content_length(res.body.size());
    write(out);
  }

  template <class Msg>
  void write(std::shared_ptr<Msg> out) {
    lowest().expires_after(server_->options().write_timeout);
    bhttp::async_write(stream_, *out, [self = self(), out](beast::error_code ec, std::size_t) {
      if (ec || !out->keep_alive()) return self->close();
      self->do_read_header();
    });
  }

  void send_error(int status, std::string_view code, std::string_view message) {
    auto res = Response::error(status, code, message);
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(11);
    out->result(static_cast<unsigned>(status));
    for (auto& [k, v] : res.headers) out->insert(k, v);
    add_security_headers(out->base(), kTls);
    out->body() = std::move(res.body);
    out->keep_alive(false);
    out->prepare_payload();
    write(out);
  }

  void start_stream(Response res) {
    auto head = std::make_shared<bhttp::response<bhttp::empty_body>>();
    head->version(version_);
    head->result(static_cast<unsigned>(res.status));
    for (auto& [k, v] : res.headers) head->insert(k, v);
    add_security_headers(head->base(), kTls);
    head->chunked(true);
    head->keep_alive(false);
    auto sr = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*head);
    lowest().expires_after(server_->options().write_timeout);
    bhttp::async_write_header(stream_, *sr,
                              [self = self(), head, sr, on_stream = std::move(res.on_stream)](
                                  beast::error_code ec, std::size_t) {
                                if (ec) return self->close();
                                self->lowest().expires_never();
                                self->writer_ =
                                    std::make_shared<ChunkWriter>(self->weak_from_this());
                                self->watch_disconnect();
                                on_stream(self->writer_);
                              });
  }

  // A streaming client sends nothing more; a read completing means it went away.
  void watch_disconnect() {
    auto buf = std::make_shared<std::array<char, 1>>();
    stream_.async_read_some(
        asio::buffer(*buf),
        [self = self(), buf](beast::error_code, std::size_t) { self->close(); });
  }

  void write_next_chunk() {
    if (closed_) return;
    auto data = std::make_shared<std::string>(std::move(chunks_.front()));
    asio::async_write(stream_, bhttp::make_chunk(asio::buffer(*data)),
                      [self = self(), data](beast::error_code ec, std::size_t) {
                        if (self->writer_) self->writer_->sent(data->size());
                        if (ec) return self->close();
                        self->chunks_.pop_front();
                        if (!self->chunks_.empty())
                          self->write_next_chunk();
                        else if (self->finishing_)
                          self->write_last_chunk();
                      });
  }
  void write_last_chunk() {
    if (closed_) return;
    asio::async_write(stream_, bhttp::make_chunk_last(),
                      [self = self()](beast::error_code, std::size_t) { self->close(); });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    if (writer_) writer_->mark_closed();
    beast::error_code ec;
    socket().shutdown(tcp::socket::shutdown_both, ec);
    socket().close(ec);
  }

  Stream stream_;
  std::shared_ptr<ssl::context> tls_;  // kept alive for this connection across reloads
  std::shared_ptr<Server::Impl> server_;
  IpAddress peer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> header_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  int requests_ = 0;
  bool closed_ = false;
  bool finishing_ = false;
  Clock::time_point started_;
  std::deque<std::string> chunks_;
  std::shared_ptr<ChunkWriter> writer_;
};

bool ChunkWriter::write(std::string chunk) {
  auto c = conn_.lock();
  if (!c || closed_) return false;
  queued_ += chunk.size();
  asio::post(c->executor(),
             [c, chunk = std::move(chunk)]() mutable { c->push_chunk(std::move(chunk)); });
  return true;
}

void ChunkWriter::abort() {
  auto c = conn_.lock();
  if (!c || closed_.exchange(true)) return;
  asio::post(c->executor(), [c] { c->abort_stream(); });
}

void ChunkWriter::close() {
  auto c = conn_.lock();
  if (!c || closed_.exchange(true)) return;
  asio::post(c->executor(), [c] { c->finish_stream(); });
}

}  // namespace

void Server::Impl::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (!ec) {
    boost::system::error_code peer_ec;
    const auto ep = socket.remote_endpoint(peer_ec);
    const IpAddress peer = peer_ec ? IpAddress{} : unwrap_v4(ep.address());
    if (peer_ec || connections.load() >= options_.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);  // over the cap: refuse cheaply
    } else if (!take_address_slot(peer)) {
      boost::system::error_code ignored;
      socket.close(ignored);  // this address holds its share already
      const auto now = Clock::now();
      if (now - last_cap_log_ > std::chrono::seconds(10)) {
        last_cap_log_ = now;
        spdlog::warn("http.address_cap addr={} max={}", peer.to_string(),
                     options_.max_connections_per_address);
      }
    } else {
      // Replies go out as soon as they are written: without this, a reply written in two parts
      // (TLS records, SSE chunks) can wait for the client's delayed ACK (up to 40 ms).
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      if (auto tls = this->tls())
        std::make_shared<Connection<TlsStream>>(std::move(socket), shared_from_this(), peer, tls)
            ->start();
      else
        std::make_shared<Connection<PlainStream>>(std::move(socket), shared_from_this(), peer)
            ->start();
    }
  }
  do_accept();
}

Server::Server(asio::io_context& io, ServerOptions options, const Router& router, WorkRunner run)
    : impl_(std::make_shared<Impl>(io, std::move(options), router, std::move(run))) {}
Server::~Server() = default;
Result<void> Server::start() {
  return impl_->start();
}
void Server::stop() {
  impl_->stop();
}
Result<void> Server::reload_tls() {
  return impl_->reload_tls();
}
std::uint16_t Server::port() const {
  return impl_->port();
}
int Server::open_connections() const {
  return impl_->connections.load();
}
void Server::set_observer(RequestObserver o) {
  impl_->set_observer(std::move(o));
}

}  // namespace faxd::http
