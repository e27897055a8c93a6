// The SMTP conversation without sockets: what a relay (Postfix) says and hears.
#include <gtest/gtest.h>

#include "faxd/mail_in/smtp_session.hpp"

using namespace faxd::mail_in;

namespace {

struct Talk {
  SmtpSession s{"fax.example", "127.0.0.1", {.max_message_bytes = 200, .max_recipients = 2}};
  SmtpSession::Output say(std::string_view line) { return s.on_line(line); }
  std::string code(std::string_view line) { return say(line).bytes.substr(0, 3); }
};

}  // namespace

TEST(SmtpSession, TakesAMessageForNumbersAndUnstuffsDots) {
  Talk t;
  EXPECT_TRUE(t.s.greet().bytes.starts_with("220 fax.example ESMTP"));
  const auto ehlo = t.say("EHLO relay.example").bytes;
  EXPECT_NE(ehlo.find("250-SIZE 200\r\n"), std::string::npos);
  EXPECT_NE(ehlo.find("250 ENHANCEDSTATUSCODES\r\n"), std::string::npos);
  EXPECT_EQ(t.code("MAIL FROM:<ana@acme.example> SIZE=100 BODY=8BITMIME"), "250");
  EXPECT_EQ(t.code("RCPT TO:<+34910000002@fax.example>"), "250");
  EXPECT_EQ(t.code("rcpt to: <0034-910-000-003@anything.example>"), "250");
  EXPECT_EQ(t.code("DATA"), "354");
  EXPECT_TRUE(t.say("Subject: hi").bytes.empty());
  t.say("");
  t.say("..leading dot");
  const auto end = t.say(".");
  EXPECT_TRUE(end.message_ready);
  const auto m = t.s.take_message();
  EXPECT_EQ(m.mail_from, "ana@acme.example");
  EXPECT_EQ(m.helo, "relay.example");
  EXPECT_EQ(m.recipients, (std::vector<std::string>{"+34910000002@fax.example",
                                                    "0034-910-000-003@anything.example"}));
  EXPECT_EQ(m.data, "Subject: hi\r\n\r\n.leading dot\r\n");
  EXPECT_EQ(t.s.finish_message({250, "2.0.0 queued as fax X"}).bytes,
            "250 2.0.0 queued as fax X\r\n");
  // The next transaction starts clean.
  EXPECT_EQ(t.code("RCPT TO:<1234@x.example>"), "503");
  EXPECT_EQ(t.code("MAIL FROM:<ana@acme.example>"), "250");
  EXPECT_TRUE(t.say("QUIT").close);
}

TEST(SmtpSession, RefusesWhatNoStoreIsNeededToRefuse) {
  Talk t;
  EXPECT_EQ(t.code("MAIL FROM:<a@b.example>"), "503");  // EHLO first
  t.say("HELO relay");
  EXPECT_EQ(t.code("MAIL FROM:<>"), "550");  // bounces are not faxed
  EXPECT_EQ(t.code("MAIL FROM:<a@b.example> SIZE=201"), "552");
  EXPECT_EQ(t.code("MAIL FROM:<a@b.example>"), "250");
  EXPECT_EQ(t.code("DATA"), "554");  // no recipients
  const auto not_number = t.say("RCPT TO:<office@acme.example>").bytes;
  EXPECT_TRUE(not_number.starts_with("550 5.1.1 <office@acme.example>: not a fax number"));
  EXPECT_EQ(t.code("RCPT TO:<12@acme.example>"), "550");  // too short
  EXPECT_EQ(t.code("RCPT TO:<1234@a.example>"), "250");
  EXPECT_EQ(t.code("RCPT TO:<5678@a.example>"), "250");
  EXPECT_EQ(t.code("RCPT TO:<9999@a.example>"), "452");  // max_recipients = 2
  EXPECT_EQ(t.code("AUTH PLAIN x"), "502");
  EXPECT_EQ(t.code("FOO"), "500");
}

TEST(SmtpSession, AMessageOverTheLimitIsReadToTheEndAndRefused) {
  Talk t;
  t.say("EHLO r");
  t.say("MAIL FROM:<a@b.example>");
  t.say("RCPT TO:<1234@a.example>");
  t.say("DATA");
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(t.say(std::string(50, 'x')).bytes.empty());
  const auto end = t.say(".");
  EXPECT_FALSE(end.message_ready);
  EXPECT_TRUE(end.bytes.starts_with("552 5.3.4"));
  EXPECT_EQ(t.code("MAIL FROM:<a@b.example>"), "250");
}

TEST(SmtpSession, DropsAClientThatKeepsErring) {
  Talk t;
  t.say("EHLO r");
  SmtpSession::Output out;
  for (int i = 0; i < 10 && !out.close; ++i) out = t.say("BAD");
  EXPECT_TRUE(out.close);
  EXPECT_NE(out.bytes.find("421 4.7.0"), std::string::npos);
}

TEST(SmtpSession, ReadsNumbersAsTheyAreWritten) {
  EXPECT_TRUE(is_number_local_part("+34910000002"));
  EXPECT_TRUE(is_number_local_part("0034910000002"));
  EXPECT_TRUE(is_number_local_part("910.000.002"));
  EXPECT_TRUE(is_number_local_part("910-000-002"));
  EXPECT_FALSE(is_number_local_part("fax"));
  EXPECT_FALSE(is_number_local_part("9100+00002"));
  EXPECT_FALSE(is_number_local_part(""));
  EXPECT_FALSE(is_number_local_part("12"));
  EXPECT_FALSE(is_number_local_part(std::string(20, '1')));
}
