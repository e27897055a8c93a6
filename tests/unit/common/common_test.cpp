#include <gtest/gtest.h>

#include <set>

#include <sys/stat.h>

#include "temp_dir.hpp"

#include "faxd/common/id.hpp"
#include "faxd/common/password_policy.hpp"
#include "faxd/common/secret_box.hpp"
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
  EXPECT_FALSE(parse_rfc3339("2999-01-01T00:00:00Z")) << "beyond what a SysTime holds";
  EXPECT_FALSE(parse_rfc3339("1066-10-14T09:00:00Z"));
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

TEST(PasswordPolicy, RefusesShortCommonAndUsernamePasswordsAndTakesGoodOnes) {
  using faxd::password_problem;
  EXPECT_TRUE(password_problem("short-pw1", "alice").has_value());
  EXPECT_NE(password_problem("short-pw1", "alice")->find("at least 12"), std::string::npos);
  for (const char* weak : {"password1234", "P@ssw0rd1234", "qwertyuiop12", "Summer2024!!",
                           "aaaaaaaaaaaa", "qwertyqwerty", "123456789012", "administrator1"})
    EXPECT_TRUE(password_problem(weak, "alice").has_value()) << weak;
  EXPECT_TRUE(password_problem("alice-in-wonderland-7", "alice").has_value());
  EXPECT_NE(password_problem("xx-Alice-xx-92", "alice")->find("username"), std::string::npos);
  for (const char* good :
       {"correct-horse-1", "s3cret-user-pw", "Tr0ub4dor-and-3", "violet lamp 7 harbour"})
    EXPECT_FALSE(password_problem(good, "alice").has_value())
        << good << ": " << *password_problem(good, "alice");
  EXPECT_TRUE(faxd::password_dictionary_available()) << "cracklib-runtime is not installed";
}

TEST(SecretBox, SealsOpensAndRefusesAForeignOrLooseKey) {
  faxd::test::TempDir dir;
  const auto path = dir.file("secret.key");
  auto box = faxd::SecretBox::load_or_create(path);
  ASSERT_TRUE(box) << box.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the key file is the service user's alone";
  const auto sealed = box->seal("trunk-secret");
  EXPECT_TRUE(faxd::SecretBox::is_sealed(sealed));
  EXPECT_EQ(sealed.find("trunk-secret"), std::string::npos);
  EXPECT_NE(box->seal("trunk-secret"), sealed) << "a fresh nonce each time";
  EXPECT_EQ(box->open(sealed).value(), "trunk-secret");
  EXPECT_EQ(box->open("legacy-plain").value(), "legacy-plain") << "older rows pass through";
  EXPECT_EQ(box->seal(""), "");
  // The same file gives the same key; another key cannot open it.
  EXPECT_EQ(faxd::SecretBox::load_or_create(path)->open(sealed).value(), "trunk-secret");
  auto other = faxd::SecretBox::load_or_create(dir.file("other.key"));
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->open(sealed));
  ::chmod(path.c_str(), 0644);
  EXPECT_FALSE(faxd::SecretBox::load_or_create(path)) << "a key others can read is refused";
}
