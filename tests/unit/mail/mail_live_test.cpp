// Mail and webhooks against real servers on loopback: Debian's aiosmtpd as the SMTP server
// (down first, then up), Python's email package as the mail reader, and a Python http.server
// webhook receiver that checks signatures and fails the first tries.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <sodium.h>
#include <nlohmann/json.hpp>

#include <boost/asio.hpp>

#include "faxd/mail/mail_service.hpp"
#include "faxd/mail/outbox_worker.hpp"
#include "faxd/mail/smtp_mailer.hpp"
#include "faxd/mail/webhook_signature.hpp"
#include "faxd/mail/webhook_worker.hpp"
#include "faxd/store/event_feed.hpp"
#include "faxd/store/mail_outbox_repo.hpp"
#include "faxd/store/notification_template_repo.hpp"
#include "faxd/store/webhook_repo.hpp"
#include "fixtures.hpp"

extern char** environ;

using namespace faxd;
using namespace faxd::mail;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kPython = "/usr/bin/python3";
const std::string kHere = FAXD_MAIL_TEST_DIR;

// A child process killed (SIGTERM, then reaped) when the object dies.
class Child {
 public:
  explicit Child(std::vector<std::string> argv) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], nullptr, nullptr, args.data(), environ) != 0) pid_ = -1;
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Waits (bounded, not a timing assertion) for a helper to write its port file.
int wait_for_port(const fs::path& port_file, const Child& child) {
  for (int i = 0; i < 300; ++i) {  // up to 30 s on a loaded machine
    if (fs::exists(port_file)) return std::stoi(slurp(port_file));
    if (!child.running()) return 0;
    std::this_thread::sleep_for(100ms);
  }
  return 0;
}

// A loopback port nobody listens on right now.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::vector<fs::path> mails_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".eml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string pdf_bytes() {
  std::string pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  for (int i = 0; i < 5000; ++i) pdf += static_cast<char>((i * 7) % 256);
  return pdf + "\n%%EOF\n";
}

std::string sha256_hex_of(const std::string& data) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  std::string out;
  for (unsigned char c : h) out += fmt::format("{:02x}", c);
  return out;
}

struct LiveTest : test::MailStore {
  void SetUp() override {
    MailStore::SetUp();
    ASSERT_TRUE(init_curl());
  }
};

}  // namespace

TEST_F(LiveTest, AMailQueuedWhileTheServerIsDownIsDeliveredOnceWhenItComesUp) {
  add_fax("F1", "V1", "C1", "B1");
  const auto pdf_path = dir.file("F1.pdf");
  const auto pdf = pdf_bytes();
  std::ofstream(pdf_path, std::ios::binary) << pdf;
  store::MailOutboxRepo repo(*db);
  ASSERT_TRUE(repo.enqueue_for_fax("F1", "fax_received", clock.now()));

  const int port = free_port();
  SmtpMailer mailer({.url = fmt::format("smtp://127.0.0.1:{}", port),
                     .starttls = config::StartTls::never,
                     .from = "Fax service <fax@example.com>"},
                    {.connect = 5s, .total = 30s});
  store::NotificationTemplateRepo templates(*db, clock);
  OutboxWorker worker(
      repo, templates, mailer, [&](const std::string&) -> Result<std::string> { return pdf_path; },
      clock);

  // Server down: the mail stays queued, the attempt counted.
  EXPECT_EQ(worker.run_once(clock.now()).retried, 1);
  auto m = repo.list_for_fax("F1")->front();
  EXPECT_EQ(m.status, "pending");
  EXPECT_EQ(m.attempts, 1);
  EXPECT_TRUE(m.last_error.has_value());

  const fs::path out = dir.path() / "inbox";
  fs::create_directories(out);
  Child server({kPython, kHere + "/smtp_sink.py", "--port", std::to_string(port), "--out",
                out.string(), "--port-file", dir.file("smtp.port")});
  ASSERT_EQ(wait_for_port(dir.file("smtp.port"), server), port) << "aiosmtpd did not start";

  clock.advance(30s);
  EXPECT_EQ(worker.run_once(clock.now()).sent, 1);
  clock.advance(1h);
  EXPECT_EQ(worker.run_once(clock.now()).sent, 0);
  m = repo.list_for_fax("F1")->front();
  EXPECT_EQ(m.status, "sent");
  EXPECT_EQ(m.attempts, 2);
  const auto mails = mails_in(out);
  ASSERT_EQ(mails.size(), 1u);  // once, never twice
  const auto rcpt = slurp(fs::path(mails[0].string() + ".rcpt"));
  EXPECT_EQ(rcpt, "fax@example.com\noffice@acme.example\n");

  // What a mail client sees (Python's email package).
  const fs::path json_out = dir.path() / "parsed.json";
  const auto cmd = fmt::format("{} {}/parse_mime.py {} > {}", kPython, kHere, mails[0].string(),
                               json_out.string());
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const auto parsed = nlohmann::json::parse(slurp(json_out));
  EXPECT_EQ(parsed["subject"], "Fax recibido de +34911234567 (3 páginas)");
  EXPECT_EQ(parsed["from"], "Fax service <fax@example.com>");
  EXPECT_EQ(parsed["to"], "office@acme.example");
  EXPECT_EQ(parsed["content_type"], "multipart/mixed");
  EXPECT_EQ(parsed["defects"], 0);
  EXPECT_NE(parsed["text"].get<std::string>().find("Ha recibido un fax en Recepción."),
            std::string::npos);
  EXPECT_NE(parsed["text"].get<std::string>().find("Fecha: 2 de julio de 2026, 00:30 CEST"),
            std::string::npos);
  ASSERT_EQ(parsed["attachments"].size(), 1u);
  const auto& a = parsed["attachments"][0];
  EXPECT_EQ(a["filename"], "fax-20260702-003000-+34911234567.pdf");
  EXPECT_EQ(a["content_type"], "application/pdf");
  EXPECT_EQ(a["size"], pdf.size());
  EXPECT_EQ(a["sha256"], sha256_hex_of(pdf));
}

TEST_F(LiveTest, AWebhookReceiverGetsSignedRequestsRetriedAfterA500) {
  store::WebhookRepo repo(*db);
  const std::string secret = new_webhook_secret();
  const auto log = dir.path() / "hooks.jsonl";
  Child receiver({kPython, kHere + "/webhook_receiver.py", "--secret", secret, "--fail", "1",
                  "--log", log.string(), "--port-file", dir.file("hook.port")});
  const int port = wait_for_port(dir.file("hook.port"), receiver);
  ASSERT_GT(port, 0) << "receiver did not start";
  auto hook = repo.create(
      {"UB", fmt::format("http://127.0.0.1:{}/faxd", port), secret, {"fax.received"}}, clock.now());
  ASSERT_TRUE(hook);
  add_fax("F1", "V1", "C1", "B1");
  ASSERT_TRUE(db->write([&](store::Conn& c) {
    store::EventFeed::append(
        c, {"fax.received", "F1", "B1", "C1", "V1", R"({"id":"F1","pages":3})"}, clock.now());
  }));

  // The receiver is on loopback: allowed by name, as an operator would in [webhooks].
  CurlWebhookTransport transport(WebhookTargets(AddressSet({"127.0.0.1"})),
                                 {.connect = 5s, .total = 30s});
  WebhookWorker worker(repo, transport, clock);
  EXPECT_EQ(worker.run_once(clock.now()).retried, 1);  // the receiver answers 500 first
  clock.advance(5s);
  EXPECT_EQ(worker.run_once(clock.now()).delivered, 1);
  clock.advance(1h);
  worker.run_once(clock.now());

  std::istringstream lines(slurp(log));
  std::vector<nlohmann::json> got;
  for (std::string line; std::getline(lines, line);) got.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["status"], 500);
  EXPECT_EQ(got[1]["status"], 204);
  for (const auto& g : got) {
    EXPECT_TRUE(g["signature_ok"].get<bool>());
    EXPECT_EQ(g["content_type"], "application/json");
    EXPECT_EQ(g["id"], got[0]["id"]);
    const auto body = nlohmann::json::parse(g["body"].get<std::string>());
    EXPECT_EQ(body["type"], "fax.received");
    EXPECT_EQ(body["data"]["pages"], 3);
  }
}

// The delivery connects to the address checked, never to one the name resolves to later: the
// resolver answers once with the allowed receiver and then with an address that is not allowed.
// curl is never asked to resolve "rebind.example" itself (no DNS here would answer it).
TEST_F(LiveTest, AWebhookGoesOnlyToTheAddressCheckedAndNeverToAnInternalOne) {
  store::WebhookRepo repo(*db);
  const std::string secret = new_webhook_secret();
  const auto log = dir.path() / "hooks.jsonl";
  Child receiver({kPython, kHere + "/webhook_receiver.py", "--secret", secret, "--log",
                  log.string(), "--port-file", dir.file("hook.port")});
  const int port = wait_for_port(dir.file("hook.port"), receiver);
  ASSERT_GT(port, 0) << "receiver did not start";
  std::atomic<int> lookups{0};
  WebhookTargets targets(AddressSet({"127.0.0.1"}),
                         [&](const std::string& host) -> Result<std::vector<IpAddress>> {
                           if (host != "rebind.example") return fail(Errc::io, "no such host");
                           const char* a = lookups++ == 0 ? "127.0.0.1" : "127.0.0.2";
                           return std::vector<IpAddress>{boost::asio::ip::make_address(a)};
                         });
  CurlWebhookTransport transport(targets, {.connect = 5s, .total = 30s});
  WebhookRequest req{fmt::format("http://rebind.example:{}/faxd", port),
                     {{"Content-Type", "application/json"}},
                     "{}"};
  auto first = transport.post(req);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(lookups.load(), 1) << "resolved once for the check and the connection";
  // The same name now resolves to 127.0.0.2, which is not allowed: refused before connecting.
  auto second = transport.post(req);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::unsupported);
  EXPECT_NE(second.error().message.find("127.0.0.2"), std::string::npos);
  // And without the allow-list, the receiver's own address is refused too, whatever the URL.
  CurlWebhookTransport strict(WebhookTargets{}, {.connect = 5s, .total = 30s});
  for (const auto& url : {fmt::format("http://127.0.0.1:{}/faxd", port),
                          fmt::format("http://2130706433:{}/faxd", port),
                          fmt::format("http://localhost:{}/faxd", port),
                          fmt::format("http://[::ffff:127.0.0.1]:{}/faxd", port)}) {
    auto r = strict.post({url, {}, "{}"});
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error().code, Errc::unsupported) << url << ": " << r.error().message;
  }
  std::istringstream lines(slurp(log));
  int received = 0;
  for (std::string line; std::getline(lines, line);) ++received;
  EXPECT_EQ(received, 1) << "only the first, checked delivery reached the receiver";
}

TEST_F(LiveTest, TheMailServiceSendsAQueuedMailWhenWoken) {
  namespace asio = boost::asio;
  add_fax("F1", "V1", "C1", "B1");
  const auto pdf_path = dir.file("F1.pdf");
  std::ofstream(pdf_path, std::ios::binary) << pdf_bytes();
  const fs::path out = dir.path() / "inbox";
  fs::create_directories(out);
  const int port = free_port();
  Child server({kPython, kHere + "/smtp_sink.py", "--port", std::to_string(port), "--out",
                out.string(), "--port-file", dir.file("smtp.port")});
  ASSERT_EQ(wait_for_port(dir.file("smtp.port"), server), port) << "aiosmtpd did not start";

  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  asio::thread_pool workers(2);
  SystemClock real_clock;
  {
    MailService service(
        *db, real_clock,
        {.url = fmt::format("smtp://127.0.0.1:{}", port), .starttls = config::StartTls::never},
        [&](const std::string&) -> Result<std::string> { return pdf_path; }, io,
        [&](std::function<void()> f) { asio::post(workers, std::move(f)); },
        {.outbox_every = std::chrono::hours(1), .webhooks_every = std::chrono::hours(1)});
    service.start();
    ASSERT_TRUE(db->write([&](store::Conn& c) {
      store::MailOutboxRepo::enqueue_for_fax(c, "F1", "fax_received", real_clock.now());
    }));
    service.mail_queued();
    for (int i = 0; i < 300 && mails_in(out).empty(); ++i) std::this_thread::sleep_for(100ms);
    service.stop();
    workers.join();  // no run in flight once the service goes away
  }
  guard.reset();
  loop.join();
  EXPECT_EQ(mails_in(out).size(), 1u);
  EXPECT_EQ(store::MailOutboxRepo(*db).list_for_fax("F1")->front().status, "sent");
}
