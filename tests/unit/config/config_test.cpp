#include <gtest/gtest.h>

#include <fstream>

#include "faxd/config/config.hpp"
#include "temp_dir.hpp"

using namespace faxd;

namespace {

TEST(Config, EmptyFileGivesTheDocumentedDefaults) {
  auto c = config::parse("");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->daemon.data_dir, "var");
  EXPECT_EQ(c->daemon.shutdown_grace_s, 60);
  EXPECT_EQ(c->http.listen.to_string(), "127.0.0.1:8080");
  EXPECT_EQ(c->sip.listen.port, 5060);
  EXPECT_EQ(c->media.port_min, 20000);
  EXPECT_EQ(c->media.port_max, 29999);
  EXPECT_TRUE(c->t38.enabled);
  EXPECT_EQ(c->t38.max_datagram, 400);
  EXPECT_EQ(c->t38.redundancy, 3);
  EXPECT_EQ(c->t38.reinvite_after_s, 2);
  EXPECT_EQ(c->smtp.starttls, config::StartTls::auto_);
  EXPECT_EQ(c->admin.username, "admin");
  EXPECT_FALSE(c->demo.enabled);
  EXPECT_EQ(c->log.format, LogFormat::text);
  EXPECT_EQ(c->retry.busy_s, 180);
  EXPECT_EQ(c->retry.max_dials, 12);
  EXPECT_EQ(c->retry.kill_time_min, 180);
}

TEST(Config, RetryDelaysAreSetPerCauseWithinBounds) {
  auto c = config::parse("[retry]\nbusy_s = 30\nmax_tries = 5\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->retry.busy_s, 30);
  EXPECT_EQ(c->retry.max_tries, 5);
  EXPECT_EQ(c->retry.no_answer_s, 300) << "keys not given keep their defaults";
  auto bad = config::parse("[retry]\nbusy_s = 0\nmax_dials = \"many\"\n");
  ASSERT_FALSE(bad);
  ASSERT_EQ(bad.error().size(), 2u);
  EXPECT_EQ(bad.error()[0].line, 2);
  EXPECT_NE(bad.error()[0].message.find("retry.busy_s"), std::string::npos)
      << bad.error()[0].message;
}

TEST(Config, WrongTypeIsReportedWithItsLine) {
  const char* text =
      "[daemon]\n"
      "data_dir = \"var\"\n"
      "[http]\n"
      "listen = 8080\n";
  auto c = config::parse(text);
  ASSERT_FALSE(c);
  ASSERT_EQ(c.error().size(), 1u);
  EXPECT_EQ(c.error()[0].line, 4);
  EXPECT_EQ(config::format_problems("faxd.toml", c.error()),
            "faxd.toml:4: http.listen: expected a string, got an integer\n");
}

TEST(Config, EveryProblemIsReportedNotJustTheFirst) {
  auto c = config::parse(
      "[t38]\nredundancy = 99\nmax_datagram = \"big\"\n[media]\nport_min = 3000\nport_max = 2000\n"
      "[sip]\nlisten = \"nonsense\"\nlisen = \"x\"\n");
  ASSERT_FALSE(c);
  std::vector<int> lines;
  for (const auto& p : c.error()) lines.push_back(p.line);
  EXPECT_EQ(lines, (std::vector<int>{2, 3, 6, 8, 9}));
  EXPECT_NE(config::format_problems("f", c.error()).find("unknown key 'sip.lisen'"),
            std::string::npos);
}

TEST(Config, SyntaxErrorsNameTheLine) {
  auto c = config::parse("[daemon]\ndata_dir = \"var\"\nshutdown_grace_s = = 3\n");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error()[0].line, 3);
}

TEST(Config, UnknownSectionsAndBadEnumsAreRefused) {
  auto c =
      config::parse("[smpt]\nurl = \"x\"\n[log]\nformat = \"xml\"\n[smtp]\nurl = \"http://x\"\n");
  ASSERT_FALSE(c);
  const auto text = config::format_problems("f", c.error());
  EXPECT_NE(text.find("f:1: unknown section 'smpt'"), std::string::npos) << text;
  EXPECT_NE(text.find("f:4: log.format: must be text or json"), std::string::npos) << text;
  EXPECT_NE(text.find("f:6: smtp.url: must start with smtp:// or smtps://"), std::string::npos)
      << text;
}

TEST(Config, HostPortAcceptsIpv4AndBracketedIpv6) {
  auto a = config::parse_host_port("127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto b = config::parse_host_port("[::]:5060");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::");
  EXPECT_EQ(b->to_string(), "[::]:5060");
  EXPECT_FALSE(config::parse_host_port("localhost:80"));
  EXPECT_FALSE(config::parse_host_port("127.0.0.1:0"));
  EXPECT_FALSE(config::parse_host_port("127.0.0.1:70000"));
  EXPECT_FALSE(config::parse_host_port("::1:80"));
}

TEST(Config, TheShippedConfigIsValidAndDocumentsEveryKey) {
  auto c = config::load(FAXD_SOURCE_DIR "/config/faxd.toml");
  ASSERT_TRUE(c) << config::format_problems("config/faxd.toml", c.error());
  EXPECT_TRUE(c->demo.enabled) << "make run uses this file: it must seed the demo";
  EXPECT_EQ(c->daemon.data_dir, "var");
}

TEST(Config, MissingFileIsAProblemNotACrash) {
  auto c = config::load("/nonexistent/faxd.toml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error()[0].message, "cannot read the file");
}

}  // namespace
