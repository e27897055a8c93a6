// The stateless answer to an INVITE from a stranger: one reply, never larger than the request.
#include "stranger_filter.hpp"

#include <gtest/gtest.h>

using namespace faxd::sip::detail;

namespace {

const std::string kInvite =
    "INVITE sip:100@127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:100@127.0.0.1>\r\n"
    "From: \"Eve\" <sip:eve@198.51.100.7>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33\r\n"
    "CSeq: 314159 INVITE\r\n"
    "User-Agent: sipvicious\r\n"
    "Contact: <sip:eve@198.51.100.7>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 0\r\n\r\n";

}  // namespace

TEST(StrangerFilter, ReadsTheFirstLineAndTheToTag) {
  auto h = peek_sip(kInvite);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->is_request);
  EXPECT_EQ(h->method, "INVITE");
  EXPECT_FALSE(h->has_to_tag);
  auto in_dialog = peek_sip("INVITE sip:x SIP/2.0\r\nt: <sip:x>;tag=abc\r\n\r\n");
  ASSERT_TRUE(in_dialog);
  EXPECT_TRUE(in_dialog->has_to_tag);
  auto response = peek_sip("SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->is_request);
  EXPECT_FALSE(peek_sip("\x01\x02garbage"));
}

TEST(StrangerFilter, AnswersOnceWithTheTransactionHeadersOnlyAndNeverMoreBytes) {
  auto r = stateless_reply(kInvite, 403, "Forbidden", "faxd");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->starts_with("SIP/2.0 403 Forbidden\r\n"));
  EXPECT_NE(r->find("Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK776asdhds\r\n"),
            std::string::npos);
  EXPECT_NE(r->find("To: <sip:100@127.0.0.1>;tag="), std::string::npos);
  EXPECT_NE(r->find("Call-ID: a84b4c76e66710@pc33\r\n"), std::string::npos);
  EXPECT_NE(r->find("CSeq: 314159 INVITE\r\n"), std::string::npos);
  EXPECT_NE(r->find("Server: faxd\r\n"), std::string::npos);
  EXPECT_EQ(r->find("sipvicious"), std::string::npos);
  EXPECT_EQ(r->find("sofia"), std::string::npos) << "no stack version";
  EXPECT_LE(r->size(), kInvite.size());
  // Compact header names are understood.
  auto compact = stateless_reply(
      "INVITE sip:1@h SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nt: <sip:1@h>\r\n"
      "f: <sip:2@h>;tag=9\r\ni: abc\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
      "User-Agent: friendly-scanner/1.0 (a long product token)\r\nContent-Length: 0\r\n\r\n",
      403, "Forbidden", "");
  ASSERT_TRUE(compact);
  EXPECT_NE(compact->find("Call-ID: abc\r\n"), std::string::npos);
  // No answer to an ACK, to a response, to garbage, or when it would be larger.
  EXPECT_FALSE(stateless_reply("ACK sip:1@h SIP/2.0\r\nv: x\r\n\r\n", 403, "Forbidden", ""));
  EXPECT_FALSE(stateless_reply("SIP/2.0 200 OK\r\n\r\n", 403, "Forbidden", ""));
  EXPECT_FALSE(stateless_reply("hello", 403, "Forbidden", ""));
  EXPECT_FALSE(
      stateless_reply("INVITE sip:1@h SIP/2.0\r\nv: a\r\nf: b\r\nt: c\r\ni: d\r\n"
                      "CSeq: 1 INVITE\r\n\r\n",
                      403, "Forbidden", "a-very-long-server-name"));
}
