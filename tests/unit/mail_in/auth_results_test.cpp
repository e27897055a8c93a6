// Authentication-Results as real relays write them, and when faxd refuses a mail for them.
#include <gtest/gtest.h>

#include "faxd/mail_in/auth_results.hpp"

using namespace faxd::mail_in;

TEST(AuthResults, ParsesWhatPostfixWithOpendkimAndOpendmarcWrites) {
  auto r = parse_auth_results(
      "mx.example.com 1; spf=pass (sender SPF authorized) smtp.mailfrom=ana@acme.example;\r\n"
      "\tdkim=pass (2048-bit key; unprotected) header.d=acme.example header.i=@acme.example "
      "header.b=\"ab/cd\"; dmarc=none (p=none dis=none) header.from=acme.example");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->authserv_id, "mx.example.com");
  ASSERT_EQ(r->results.size(), 3u);
  EXPECT_EQ(r->results[0].method, "spf");
  EXPECT_EQ(r->results[0].result, "pass");
  EXPECT_EQ(r->results[0].properties.at(0),
            (std::pair<std::string, std::string>{"smtp.mailfrom", "ana@acme.example"}));
  EXPECT_EQ(r->results[1].properties.at(2).second, "ab/cd");
  EXPECT_EQ(r->results[2].method, "dmarc");
  EXPECT_EQ(r->results[2].result, "none");
  auto none = parse_auth_results("mx.example.com; none");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->results.empty());
  auto spaced = parse_auth_results("\"mx 1\" ; SPF = FAIL smtp.mailfrom = x@y");
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->authserv_id, "mx 1");
  EXPECT_EQ(spaced->results.at(0).result, "fail");
  EXPECT_FALSE(parse_auth_results("mx (unclosed; spf=pass"));
  EXPECT_FALSE(parse_auth_results("mx; =pass"));
}

TEST(AuthResults, RefusesFailedSpfDkimOrDmarcFromTheTrustedHeaderOnly) {
  const std::vector<std::string> none;
  auto judge = [&](std::vector<std::string> h, const std::vector<std::string>& ids = {}) {
    return judge_auth_results(h, ids);
  };
  EXPECT_FALSE(judge({}).refused);
  EXPECT_FALSE(judge({"mx; spf=pass smtp.mailfrom=a@b; dkim=pass header.d=b"}).refused);
  auto v = judge({"mx; spf=fail smtp.mailfrom=ana@acme.example"});
  EXPECT_TRUE(v.refused);
  EXPECT_EQ(v.reason, "SPF failed for ana@acme.example");
  v = judge({"mx; dkim=fail (bad signature) header.d=acme.example"});
  EXPECT_TRUE(v.refused);
  EXPECT_EQ(v.reason, "DKIM failed for acme.example");
  // Another signature that verifies: not refused.
  EXPECT_FALSE(
      judge({"mx; dkim=fail header.d=list.example; dkim=pass header.d=acme.example"}).refused);
  EXPECT_TRUE(judge({"mx; dmarc=fail header.from=acme.example"}).refused);
  EXPECT_FALSE(judge({"mx; spf=softfail; spf=temperror; dkim=none; dmarc=none"}).refused);
  // Only the topmost header is the relay's: a failing one further down came with the mail...
  EXPECT_FALSE(judge({"mx; spf=pass", "elsewhere; spf=fail"}).refused);
  // ... unless authserv_ids name which to trust.
  EXPECT_TRUE(judge({"mx; spf=pass", "inner.example; spf=fail"}, {"inner.example"}).refused);
  EXPECT_FALSE(judge({"forged.example; spf=fail", "mx.example; spf=pass"}, {"MX.example"}).refused);
}
