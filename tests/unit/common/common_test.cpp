#include <gtest/gtest.h>

#include <set>

#include "faxd/common/id.hpp"
#include "faxd/common/secrets.hpp"
#include "faxd/common/time.hpp"

using namespace faxd;
using namespace std::chrono_literals;

TEST(Ids, AreValidUniqueAndSortByCreationTime) {
  ManualClock clock;
  std::set<std::string> seen;
  std::string previous;
  for (int i = 0; i < 1000; ++i) {
    clock.advance(1ms);
    auto id = new_id(clock.now());
    EXPECT_TRUE(is_valid_id(id)) << id;
    EXPECT_GT(id, previous);
    previous = id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Ids, PathTricksAreNotIds) {
  EXPECT_FALSE(is_valid_id("../../etc/passwd"));
  EXPECT_FALSE(is_valid_id(""));
  EXPECT_FALSE(is_valid_id("01M87ZXZ3HK3QF5BB6T72GRYY"));   // 25 characters
  EXPECT_FALSE(is_valid_id("01M87ZXZ3HK3QF5BB6T72GRYY/"));  // 26 with a slash
  EXPECT_FALSE(is_valid_id("01m87zxz3hk3qf5bb6t72gryy6"));  // lower case
}

TEST(Time, FormatsRfc3339UtcWithMilliseconds) {
  const SysTime t =
      std::chrono::sys_days{std::chrono::year{2026} / 11 / 24} + 23h + 46min + 15s + 123ms;
  EXPECT_EQ(format_rfc3339(t), "2026-11-24T23:46:15.123Z");
  EXPECT_EQ(parse_rfc3339("2026-11-24T23:46:15.123Z"), t);
  EXPECT_EQ(parse_rfc3339("2026-11-25T00:46:15.123+01:00"), t);
  EXPECT_FALSE(parse_rfc3339("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("yesterday"));
  EXPECT_FALSE(parse_rfc3339("2026-11-24T23:46:15Zjunk"));
}

TEST(Secrets, Argon2idHashesVerifyOnlyTheRightPassword) {
  ASSERT_TRUE(init_crypto());
  const auto h = hash_password("correct horse");
  EXPECT_TRUE(h.starts_with("$argon2id$"));
  EXPECT_TRUE(verify_password(h, "correct horse"));
  EXPECT_FALSE(verify_password(h, "correct horsE"));
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_NE(hash_password("correct horse"), h) << "hashes must be salted";
}

TEST(Secrets, TokensAreRandomAndDigestsStable) {
  ASSERT_TRUE(init_crypto());
  EXPECT_NE(new_token(), new_token());
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#include "faxd/common/metrics.hpp"

TEST(Metrics, RendersPrometheusTextWithLabelsAndHistograms) {
  metrics::Registry r;
  auto& faxes = r.counter("faxd_faxes_total", "Faxes ended", {"direction", "result"});
  faxes.with({"outbound", "delivered"}).inc(3);
  faxes.with({"inbound", "fa\"iled"}).inc();
  auto& lat = r.histogram("faxd_http_request_seconds", "HTTP latency", {0.01, 0.1}, {"route"});
  lat.with({"GET /x"}).observe(0.005);
  lat.with({"GET /x"}).observe(0.5);
  r.gauge_callback("faxd_queue_depth", "Queued faxes", [] { return 7.0; });
  const auto text = r.render();
  EXPECT_NE(text.find("# TYPE faxd_faxes_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("faxd_faxes_total{direction=\"outbound\",result=\"delivered\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("result=\"fa\\\"iled\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("faxd_http_request_seconds_bucket{route=\"GET /x\",le=\"0.01\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("faxd_http_request_seconds_bucket{route=\"GET /x\",le=\"+Inf\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("faxd_http_request_seconds_count{route=\"GET /x\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("faxd_queue_depth 7\n"), std::string::npos) << text;
  EXPECT_THROW(r.counter("faxd_faxes_total", "again"), std::logic_error);
}

TEST(Ids, SortInCreationOrderWithinOneMillisecondAndWhenTheClockStepsBack) {
  ManualClock clock;
  std::string previous = new_id(clock.now());
  for (int i = 0; i < 1000; ++i) {
    auto id = new_id(clock.now());  // same millisecond every time
    ASSERT_GT(id, previous);
    ASSERT_TRUE(is_valid_id(id));
    previous = id;
  }
  auto back = new_id(clock.now() - std::chrono::seconds(5));
  EXPECT_GT(back, previous);
}
