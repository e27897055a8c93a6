// The listener on loopback with a plain socket client: a whole conversation with pipelined
// commands, the handler's verdict as the reply, trusted relays, the connection limit and the
// idle timeout.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <boost/asio.hpp>

#include "faxd/mail_in/smtp_server.hpp"

using namespace faxd;
using namespace faxd::mail_in;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

class RecordingHandler final : public MailHandler {
 public:
  SmtpReply deliver(const ReceivedMail& m) override {
    std::lock_guard lock(mutex);
    mails.push_back(m);
    return reply;
  }
  std::mutex mutex;
  std::vector<ReceivedMail> mails;
  SmtpReply reply{250, "2.0.0 queued as fax F1"};
};

struct Server {
  // `busy`: every converter is taken, the runner refuses the work.
  explicit Server(SmtpServerOptions o, bool busy = false) {
    o.listen = {"127.0.0.1", 0};
    o.hostname = "fax.test";
    server = std::make_unique<SmtpServer>(io, o, handler, [busy](std::function<void()> f) {
      if (busy) return false;
      std::thread(std::move(f)).detach();  // a worker pool of its own
      return true;
    });
    EXPECT_TRUE(server->start());
    thread = std::thread([this] { io.run(); });
  }
  ~Server() {
    asio::post(io, [this] { server->stop(); });
    work.reset();
    io.stop();
    thread.join();
  }
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{
      asio::make_work_guard(io)};
  RecordingHandler handler;
  std::unique_ptr<SmtpServer> server;
  std::thread thread;
};

// A blocking client; every read has a generous deadline (the machine may be loaded).
struct Client {
  explicit Client(std::uint16_t port) : socket(io) {
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
  }
  void send(const std::string& s) { asio::write(socket, asio::buffer(s)); }
  // The next complete reply (the last line of a multi-line one); "" when the server closed.
  std::string reply() {
    std::string line;
    do {
      line = read_line();
    } while (line.size() >= 4 && line[3] == '-');
    return line;
  }
  std::string read_line() {
    boost::system::error_code ec;
    const auto n = asio::read_until(socket, asio::dynamic_buffer(buffer), "\r\n", ec);
    if (ec) return "";
    auto line = buffer.substr(0, n - 2);
    buffer.erase(0, n);
    return line;
  }
  asio::io_context io;
  tcp::socket socket;
  std::string buffer;
};

}  // namespace

TEST(SmtpServer, ATrustedRelayDeliversAPipelinedMessage) {
  Server s({.trusted_relays = {"127.0.0.0/8"}});
  Client c(s.server->port());
  EXPECT_TRUE(c.reply().starts_with("220 fax.test ESMTP"));
  c.send("EHLO relay.test\r\n");
  EXPECT_EQ(c.reply(), "250 ENHANCEDSTATUSCODES");
  c.send("MAIL FROM:<ana@acme.example>\r\nRCPT TO:<+34910000002@fax.test>\r\nDATA\r\n");
  EXPECT_EQ(c.reply(), "250 2.1.0 Ok");
  EXPECT_EQ(c.reply(), "250 2.1.5 Ok");
  EXPECT_EQ(c.reply(), "354 end the message with <CRLF>.<CRLF>");
  c.send("From: ana@acme.example\r\nSubject: x\r\n\r\n..dot\r\nbody\r\n.\r\n");
  EXPECT_EQ(c.reply(), "250 2.0.0 queued as fax F1");
  s.handler.reply = {550, "5.7.1 no"};
  c.send("MAIL FROM:<eve@evil.example>\r\nRCPT TO:<1234@fax.test>\r\nDATA\r\n");
  c.reply();
  c.reply();
  c.reply();
  c.send("Subject: y\r\n\r\n.\r\n");
  EXPECT_EQ(c.reply(), "550 5.7.1 no");
  c.send("QUIT\r\n");
  EXPECT_EQ(c.reply(), "221 2.0.0 bye");
  EXPECT_EQ(c.reply(), "");  // closed
  std::lock_guard lock(s.handler.mutex);
  ASSERT_EQ(s.handler.mails.size(), 2u);
  EXPECT_EQ(s.handler.mails[0].data,
            "From: ana@acme.example\r\nSubject: x\r\n\r\n.dot\r\nbody\r\n");
  EXPECT_EQ(s.handler.mails[0].remote, "127.0.0.1");
  EXPECT_EQ(s.handler.mails[1].mail_from, "eve@evil.example");
}

TEST(SmtpServer, WhileEveryConverterIsBusyAMailIsPutOffNotLost) {
  Server s({}, /*busy=*/true);
  Client c(s.server->port());
  EXPECT_TRUE(c.reply().starts_with("220"));
  c.send("EHLO relay.test\r\nMAIL FROM:<ana@acme.example>\r\nRCPT TO:<34910000002@fax.test>\r\n");
  c.reply();
  c.reply();
  c.reply();
  c.send("DATA\r\n");
  EXPECT_TRUE(c.reply().starts_with("354"));
  c.send("Subject: x\r\n\r\nbody\r\n.\r\n");
  EXPECT_EQ(c.reply(), "451 4.3.2 too busy converting documents, try again later")
      << "a temporary failure: the relay keeps the mail and tries again";
  c.send("NOOP\r\n");
  EXPECT_TRUE(c.reply().starts_with("250")) << "the session goes on";
  std::lock_guard lock(s.handler.mutex);
  EXPECT_TRUE(s.handler.mails.empty()) << "nothing was handled";
}

TEST(SmtpServer, RefusesAnUntrustedClientAndTooManyConnections) {
  {
    Server s({.trusted_relays = {"10.0.0.0/8", "2001:db8::/32"}});
    Client c(s.server->port());
    EXPECT_EQ(c.reply(), "554 5.7.1 127.0.0.1 is not a trusted relay for fax.test");
    EXPECT_EQ(c.reply(), "");
    EXPECT_EQ(s.server->refused_connections(), 1u);
  }
  Server s({.max_connections = 1});  // no relays listed: loopback only, which this is
  Client first(s.server->port());
  EXPECT_TRUE(first.reply().starts_with("220"));
  Client second(s.server->port());
  EXPECT_TRUE(second.reply().starts_with("421 4.3.2"));
  first.send("QUIT\r\n");
  EXPECT_EQ(first.reply(), "221 2.0.0 bye");
  EXPECT_EQ(first.reply(), "");
  // Once the first is gone, a new one is welcome (the slot frees when its socket closes).
  std::string greeting;
  for (int i = 0; i < 200 && !greeting.starts_with("220"); ++i) {
    Client again(s.server->port());
    greeting = again.reply();
    if (!greeting.starts_with("220")) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(greeting.starts_with("220")) << greeting;
}

TEST(SmtpServer, DropsASilentClientAndAnOverlongLine) {
  Server s({.timeout = 1s});
  Client c(s.server->port());
  c.reply();
  EXPECT_TRUE(c.reply().starts_with("421 4.4.2 fax.test timeout"));  // waits for the deadline
  EXPECT_EQ(c.reply(), "");
  Client d(s.server->port());
  d.reply();
  d.send(std::string(2000, 'A') + "\r\n");
  EXPECT_EQ(d.reply(), "500 5.5.2 line too long");
  EXPECT_EQ(d.reply(), "");
}
