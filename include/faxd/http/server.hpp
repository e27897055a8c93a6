#pragma once
// The HTTP/1.1 server (Boost.Beast). Connections live on the control io_context; each request's
// handler runs through `run_handler` (the worker pool) because handlers touch the store, and the
// response is written back on the connection's strand.
//
// Limits: a deadline on every read (headers and body) and on idle keep-alive, a short deadline
// for a new connection's first request head (so idle connections cannot pile up), a header size
// limit, a per-route body limit checked against Content-Length before the body is read (413),
// and caps on open connections in all and per client address (the TCP peer; trusted proxies are
// exempt). Connections over a cap are closed at once.
//
// The client address handlers see (Request::remote_address) is the TCP peer's, or, when the
// peer is one of `trusted_proxies`, the rightmost X-Forwarded-For entry that is not a trusted
// proxy itself.
//
// A handler may answer later (Response::deferred): the worker thread is free meanwhile, and
// Request::client_gone tells the work when the client has closed the connection.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "faxd/common/error.hpp"
#include "faxd/config/config.hpp"
#include "faxd/http/router.hpp"

namespace boost::asio {
class io_context;
}

namespace faxd::http {

struct ServerOptions {
  config::HostPort listen;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds first_byte_timeout{5};  // a new connection's TLS handshake and first head
  std::chrono::seconds body_timeout{120};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds write_timeout{60};
  std::size_t header_limit = 16 * 1024;
  int max_connections = 2000;
  int max_connections_per_address = 64;
  std::vector<std::string> trusted_proxies;  // addresses or CIDRs
  std::string tls_cert;                      // PEM files; both set = HTTPS only
  std::string tls_key;
};

// Runs work somewhere off the event loop; the work posts its own completion back.
using WorkRunner = std::function<void(std::function<void()>)>;
// Called after each response, for access logs and metrics.
using RequestObserver = std::function<void(const Request&, int status, std::chrono::microseconds)>;

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, const Router& router,
         WorkRunner run_handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. Fails with a message naming the address.
  Result<void> start();
  // Stops accepting and closes idle connections; requests in flight finish.
  void stop();
  // Re-reads the TLS certificate and key (SIGHUP).
  Result<void> reload_tls();
  std::uint16_t port() const;
  int open_connections() const;
  void set_observer(RequestObserver observer);

  class Impl;  // public name so the connection code can refer to it; the definition is private

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace faxd::http
