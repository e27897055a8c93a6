#include "validate.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "body_reader.hpp"

using namespace faxd::api;

TEST(Validate, E164) {
  EXPECT_TRUE(is_e164("+4930123456"));
  EXPECT_TRUE(is_e164("+123456789012345"));
  EXPECT_FALSE(is_e164("+1234567890123456")) << "16 digits";
  EXPECT_FALSE(is_e164("4930123456")) << "no +";
  EXPECT_FALSE(is_e164("+0301234"));
  EXPECT_FALSE(is_e164("+49 30 123"));
  EXPECT_FALSE(is_e164("+"));
}

TEST(Validate, Email) {
  EXPECT_TRUE(is_email("fax@example.com"));
  EXPECT_TRUE(is_email("a.b+c@sub.example.de"));
  EXPECT_FALSE(is_email("example.com"));
  EXPECT_FALSE(is_email("a@b"));
  EXPECT_FALSE(is_email("a@@b.de"));
  EXPECT_FALSE(is_email("a b@c.de"));
  EXPECT_FALSE(is_email("a@b.de\r\nBcc: x@y.z")) << "no header injection";
}

TEST(Validate, Hosts) {
  EXPECT_TRUE(is_host("sip.example.com"));
  EXPECT_TRUE(is_host("192.0.2.10"));
  EXPECT_TRUE(is_host("[2001:db8::1]"));
  EXPECT_TRUE(is_host("localhost"));
  EXPECT_FALSE(is_host("256.1.1.1"));
  EXPECT_FALSE(is_host("1.2.3"));
  EXPECT_FALSE(is_host("-bad.example"));
  EXPECT_FALSE(is_host("bad host"));
  EXPECT_FALSE(is_host("a..b"));
  EXPECT_FALSE(is_host("2001:db8::1")) << "IPv6 needs brackets";
}

TEST(Validate, PrefixesStationIdsZonesLanguages) {
  EXPECT_TRUE(is_prefix(""));
  EXPECT_TRUE(is_prefix("+49"));
  EXPECT_TRUE(is_prefix("+4930"));
  // A prefix without "+" never matches an E.164 number the way it was meant: refused.
  EXPECT_FALSE(is_prefix("4930"));
  EXPECT_FALSE(is_prefix("0034"));
  EXPECT_FALSE(is_prefix("+"));
  EXPECT_FALSE(is_prefix("+049"));
  EXPECT_FALSE(is_prefix("+49a"));
  EXPECT_FALSE(is_prefix("++49"));
  EXPECT_TRUE(is_dial_prefix(""));
  EXPECT_TRUE(is_dial_prefix("1234#"));
  EXPECT_FALSE(is_dial_prefix("12 34"));
  EXPECT_TRUE(is_station_id("+49 30 1234567"));
  EXPECT_FALSE(is_station_id("ACME"));
  EXPECT_FALSE(is_station_id("123456789012345678901"));
  EXPECT_TRUE(is_timezone("UTC"));
  EXPECT_TRUE(is_timezone("Europe/Berlin"));
  EXPECT_FALSE(is_timezone("Mars/Base"));
  EXPECT_FALSE(is_timezone("../../etc/passwd"));
  EXPECT_TRUE(is_language("en"));
  EXPECT_TRUE(is_language("pt-BR"));
  EXPECT_FALSE(is_language("english"));
}

TEST(BodyReader, ReportsTheFirstProblemNamingTheField) {
  auto body = nlohmann::json::parse(R"({"port": 0, "name": 5, "extra": 1})");
  BodyReader in(body);
  EXPECT_FALSE(in.integer("port", 1, 65535));
  EXPECT_FALSE(in.text("name"));
  in.only({"port", "name"});
  ASSERT_TRUE(in.error());
  EXPECT_EQ(in.error()->field, "port");
  EXPECT_EQ(in.error()->message, "port: must be between 1 and 65535");
}

TEST(BodyReader, NullableIdsDistinguishAbsentFromNull) {
  auto body = nlohmann::json::parse(R"({"a": null, "b": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "c": "x"})");
  BodyReader in(body);
  EXPECT_FALSE(in.nullable_id("missing").has_value());
  auto a = in.nullable_id("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->has_value());
  EXPECT_EQ(**in.nullable_id("b"), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_FALSE(in.error());
  in.nullable_id("c");
  EXPECT_EQ(in.error()->field, "c");
}
