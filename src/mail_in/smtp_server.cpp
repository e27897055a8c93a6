#include "faxd/mail_in/smtp_server.hpp"

#include <array>
#include <atomic>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>

namespace faxd::mail_in {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kCommandLine = 1000;  // RFC 5321 4.5.3.1.4, CRLF included
constexpr std::size_t kDataLine = 4096;     // lenient inside the message

struct Network {
  asio::ip::address address;
  unsigned bits = 0;

  bool contains(const asio::ip::address& a) const {
    if (a.is_v4() != address.is_v4()) return false;
    if (a.is_v4()) {
      const auto mask = bits == 0 ? 0u : ~0u << (32 - bits);
      return (a.to_v4().to_uint() & mask) == (address.to_v4().to_uint() & mask);
    }
    const auto x = a.to_v6().to_bytes();
    const auto y = address.to_v6().to_bytes();
    for (unsigned i = 0; i < 16; ++i) {
      const unsigned left = bits > i * 8 ? bits - i * 8 : 0;
      if (left == 0) break;
      const auto mask = static_cast<unsigned char>(left >= 8 ? 0xFF : 0xFF << (8 - left));
      if ((x[i] & mask) != (y[i] & mask)) return false;
    }
    return true;
  }
};

std::optional<Network> parse_network(const std::string& text) {
  const auto slash = text.find('/');
  boost::system::error_code ec;
  auto address = asio::ip::make_address(text.substr(0, slash), ec);
  if (ec) return std::nullopt;
  unsigned bits = address.is_v4() ? 32 : 128;
  if (slash != std::string::npos) {
    try {
      bits = static_cast<unsigned>(std::stoul(text.substr(slash + 1)));
    } catch (...) {
      return std::nullopt;
    }
  }
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return Network{address, bits};
}

}  // namespace

SmtpServerOptions server_options(const config::MailInConfig& c, std::string hostname) {
  SmtpServerOptions o;
  o.listen = c.listen;
  o.trusted_relays = c.trusted_relays;
  o.max_connections = c.max_connections;
  o.timeout = std::chrono::seconds(c.timeout_s);
  o.hostname = c.hostname.empty() ? std::move(hostname) : c.hostname;
  o.limits.max_message_bytes = static_cast<std::size_t>(c.max_message_mb) << 20;
  o.limits.max_recipients = c.max_recipients;
  return o;
}

class SmtpServer::Impl : public std::enable_shared_from_this<SmtpServer::Impl> {
 public:
  Impl(asio::io_context& io, SmtpServerOptions options, MailHandler& handler, WorkRunner run)
      : io_(io),
        options_(std::move(options)),
        handler_(handler),
        run_(std::move(run)),
        acceptor_(io) {
    for (const auto& t : options_.trusted_relays)
      if (auto n = parse_network(t)) trusted_.push_back(*n);
  }

  Result<void> start() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options_.listen.host, ec);
    if (ec) return fail(Errc::invalid_argument, "mail_in.listen: not an address");
    const tcp::endpoint ep(address, options_.listen.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return fail(Errc::io, fmt::format("mail_in: cannot listen on {}: {}",
                                        options_.listen.to_string(), ec.message()));
    accept();
    return {};
  }

  void stop() {
    stopping_ = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& weak : connections_)
      if (auto c = weak.lock()) c->close();
  }

  std::uint16_t port() const {
    boost::system::error_code ec;
    const auto ep = acceptor_.local_endpoint(ec);
    return ec ? 0 : ep.port();
  }

  bool trusted(asio::ip::address a) const {
    if (a.is_v6() && a.to_v6().is_v4_mapped())
      a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    if (trusted_.empty()) return a.is_loopback();
    for (const auto& n : trusted_)
      if (n.contains(a)) return true;
    return false;
  }

  // One SMTP connection: reads lines, feeds the session, writes its replies in order.
  class Connection : public std::enable_shared_from_this<Connection> {
   public:
    Connection(tcp::socket socket, std::shared_ptr<Impl> server, std::string remote)
        : socket_(std::move(socket)),
          timer_(socket_.get_executor()),
          server_(std::move(server)),
          session_(server_->options_.hostname, remote, server_->options_.limits),
          remote_(std::move(remote)) {}
    ~Connection() { --server_->open_; }

    void start() { send(session_.greet()); }
    void close() {
      boost::system::error_code ec;
      timer_.cancel();
      socket_.shutdown(tcp::socket::shutdown_both, ec);
      socket_.close(ec);
    }

   private:
    // Every read and write has a deadline: the timer cancels the socket's operation, whose
    // handler then sees timed_out_.
    void arm() {
      timed_out_ = false;
      timer_.expires_after(server_->options_.timeout);
      timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        self->timed_out_ = true;
        boost::system::error_code ignored;
        self->socket_.cancel(ignored);
      });
    }

    void send(SmtpSession::Output out) {
      if (out.bytes.empty()) return read();
      auto buffer = std::make_shared<std::string>(std::move(out.bytes));
      arm();
      asio::async_write(socket_, asio::buffer(*buffer),
                        [self = shared_from_this(), buffer, close = out.close](
                            boost::system::error_code ec, std::size_t) {
                          self->timer_.cancel();
                          if (ec || close || self->server_->stopping_) return self->close();
                          self->read();
                        });
    }

    void read() {
      // Lines already buffered (pipelining) are handled before reading more.
      const auto eol = buffer_.find("\r\n");
      const std::size_t limit = session_.in_data() ? kDataLine : kCommandLine;
      if (eol != std::string::npos) {
        if (eol + 2 > limit) return send(session_.on_line_too_long());
        const std::string line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 2);
        return on_line(line);
      }
      if (buffer_.size() >= limit) return send(session_.on_line_too_long());
      arm();
      socket_.async_read_some(
          asio::buffer(chunk_),
          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            self->timer_.cancel();
            if (self->timed_out_) {
              spdlog::info("mail_in.timeout remote={}", self->remote_);
              auto out = self->session_.timeout();
              out.close = true;
              return self->send(std::move(out));
            }
            if (ec) return self->close();
            self->buffer_.append(self->chunk_.data(), n);
            self->read();
          });
    }

    void on_line(const std::string& line) {
      auto out = session_.on_line(line);
      if (!out.message_ready) return send(std::move(out));
      // The verdict needs the store and a conversion: on a worker, answered back here.
      auto mail = std::make_shared<ReceivedMail>(session_.take_message());
      auto self = shared_from_this();
      const bool taken = server_->run_([self, mail] {
        SmtpReply reply;
        try {
          reply = self->server_->handler_.deliver(*mail);
        } catch (const std::exception& e) {
          spdlog::error("mail_in.handler_failed remote={} error={}", self->remote_, e.what());
          reply = {451, "4.3.0 internal error, try again later"};
        }
        asio::post(self->server_->io_, [self, reply = std::move(reply)] {
          self->send(self->session_.finish_message(reply));
        });
      });
      if (!taken) {
        spdlog::warn("mail_in.busy remote={} reason=conversions", remote_);
        send(
            session_.finish_message({451, "4.3.2 too busy converting documents, try again later"}));
      }
    }

    tcp::socket socket_;
    asio::steady_timer timer_;
    bool timed_out_ = false;
    std::shared_ptr<Impl> server_;
    SmtpSession session_;
    std::string remote_;
    std::string buffer_;
    std::array<char, 16 * 1024> chunk_{};
  };

  void accept() {
    acceptor_.async_accept(
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
          if (self->stopping_ || ec == asio::error::operation_aborted) return;
          if (!ec) self->on_accept(std::move(socket));
          self->accept();
        });
  }

  void on_accept(tcp::socket socket) {
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return;
    const auto who = remote.address().to_string();
    auto refuse = [&](std::string reply) {
      ++refused_;
      auto s = std::make_shared<tcp::socket>(std::move(socket));
      auto text = std::make_shared<std::string>(std::move(reply));
      asio::async_write(*s, asio::buffer(*text), [s, text](boost::system::error_code, std::size_t) {
        boost::system::error_code ignored;
        s->shutdown(tcp::socket::shutdown_both, ignored);
        s->close(ignored);
      });
    };
    if (!trusted(remote.address())) {
      spdlog::warn("mail_in.untrusted remote={}", who);
      return refuse(
          fmt::format("554 5.7.1 {} is not a trusted relay for {}\r\n", who, options_.hostname));
    }
    if (open_ >= options_.max_connections) {
      spdlog::warn("mail_in.busy remote={} open={}", who, open_.load());
      return refuse(
          fmt::format("421 4.3.2 {} too many connections, try again later\r\n", options_.hostname));
    }
    ++open_;
    socket.set_option(tcp::no_delay(true), ec);
    auto c = std::make_shared<Connection>(std::move(socket), shared_from_this(), who);
    std::erase_if(connections_, [](const auto& w) { return w.expired(); });
    connections_.push_back(c);
    c->start();
  }

  asio::io_context& io_;
  SmtpServerOptions options_;
  MailHandler& handler_;
  WorkRunner run_;
  tcp::acceptor acceptor_;
  std::vector<Network> trusted_;
  std::vector<std::weak_ptr<Connection>> connections_;
  std::atomic<int> open_{0};
  std::atomic<std::uint64_t> refused_{0};
  bool stopping_ = false;
};

SmtpServer::SmtpServer(asio::io_context& io, SmtpServerOptions options, MailHandler& handler,
                       WorkRunner run_handler)
    : impl_(std::make_shared<Impl>(io, std::move(options), handler, std::move(run_handler))) {}

SmtpServer::~SmtpServer() {
  if (impl_) impl_->stop();
}

Result<void> SmtpServer::start() {
  return impl_->start();
}
void SmtpServer::stop() {
  impl_->stop();
}
std::uint16_t SmtpServer::port() const {
  return impl_->port();
}
int SmtpServer::open_connections() const {
  return impl_->open_.load();
}
std::uint64_t SmtpServer::refused_connections() const {
  return impl_->refused_.load();
}

}  // namespace faxd::mail_in
