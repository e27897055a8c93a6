#include <gtest/gtest.h>

#include "faxd/jobs/retry_policy.hpp"

using namespace faxd;
using namespace faxd::jobs;
using namespace std::chrono_literals;

namespace {

const SysTime t0 = SysTime{} + 1'000'000h;

TEST(RetryPolicy, EachCauseWaitsItsOwnDelay) {
  RetryPolicy p;
  auto busy = decide_retry(p, {FailureCode::busy, false}, {1, 0, t0}, t0);
  ASSERT_TRUE(busy.retry);
  EXPECT_EQ(busy.next_attempt_at, t0 + 180s);
  auto no_answer = decide_retry(p, {FailureCode::no_answer, false}, {1, 0, t0}, t0);
  EXPECT_EQ(no_answer.next_attempt_at, t0 + 300s);
  auto dropped = decide_retry(p, {FailureCode::transfer_failed, true}, {1, 1, t0}, t0);
  EXPECT_EQ(dropped.next_attempt_at, t0 + 60s);
}

TEST(RetryPolicy, FinalCausesAreNotRetried) {
  RetryPolicy p;
  for (auto cause : {FailureCode::rejected, FailureCode::no_route, FailureCode::canceled,
                     FailureCode::document_invalid, FailureCode::internal}) {
    auto d = decide_retry(p, {cause, false}, {1, 0, t0}, t0);
    EXPECT_FALSE(d.retry) << to_string(cause);
    EXPECT_EQ(d.reason, "the failure is final");
  }
}

TEST(RetryPolicy, GivesUpAfterMaxDialsMaxTriesOrKillTime) {
  RetryPolicy p;
  p.max_dials = 3;
  p.max_tries = 2;
  EXPECT_TRUE(decide_retry(p, {FailureCode::busy, false}, {2, 0, t0}, t0).retry);
  auto dials = decide_retry(p, {FailureCode::busy, false}, {3, 0, t0}, t0);
  EXPECT_FALSE(dials.retry);
  EXPECT_EQ(dials.reason, "too many dials");
  auto tries = decide_retry(p, {FailureCode::transfer_failed, true}, {2, 2, t0}, t0);
  EXPECT_FALSE(tries.retry);
  EXPECT_EQ(tries.reason, "too many tries");
  // A busy line does not count as a try, only as a dial.
  EXPECT_TRUE(decide_retry(p, {FailureCode::busy, false}, {2, 2, t0}, t0).retry);
  auto late = decide_retry(p, {FailureCode::busy, false}, {1, 0, t0}, t0 + 3h - 1min);
  EXPECT_FALSE(late.retry);
  EXPECT_EQ(late.reason, "kill time reached");
}

TEST(FallbackLadder, LineTroubleStepsDownOtherCausesKeepTheMode) {
  EXPECT_EQ(next_mode(FaxMode::t38_ecm, FailureCode::negotiation_failed), FaxMode::g711_ecm);
  EXPECT_EQ(next_mode(FaxMode::g711_ecm, FailureCode::transfer_failed), FaxMode::g711_no_ecm);
  EXPECT_EQ(next_mode(FaxMode::g711_no_ecm, FailureCode::transfer_failed), FaxMode::g711_no_ecm);
  EXPECT_EQ(next_mode(FaxMode::t38_ecm, FailureCode::busy), FaxMode::t38_ecm);
  EXPECT_FALSE(settings_for(FaxMode::g711_ecm).t38);
  EXPECT_FALSE(settings_for(FaxMode::g711_no_ecm).ecm);
  EXPECT_EQ(settings_for(FaxMode::g711_no_ecm).max_bit_rate, 9600);
  EXPECT_EQ(parse_fax_mode("g711_ecm"), FaxMode::g711_ecm);
  EXPECT_FALSE(parse_fax_mode("v34"));
}

}  // namespace
