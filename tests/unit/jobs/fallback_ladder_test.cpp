// The fallback ladder on simulated time: step down on repeated failures that are the
// destination's, never on our own overload, and climb back with time.
#include <gtest/gtest.h>

#include "faxd/jobs/fallback_ladder.hpp"

namespace faxd::jobs {
namespace {

using namespace std::chrono_literals;

const SysTime t0 = SysTime{} + std::chrono::hours(24 * 365 * 50);

LadderEvent line_failure(FaxMode used, bool overload = false) {
  return {.used = used,
          .ok = false,
          .cause = FailureCode::transfer_failed,
          .reached_fax = true,
          .local_overload = overload};
}

LadderEvent success(FaxMode used) {
  return {.used = used, .ok = true};
}

TEST(FallbackLadder, OneFailureDoesNotStepDownTwoDo) {
  LadderPolicy p;
  LadderEntry e;
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0);
  EXPECT_EQ(ladder_mode(e, p, t0), FaxMode::t38_ecm);
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0 + 10min);
  EXPECT_EQ(ladder_mode(e, p, t0 + 10min), FaxMode::g711_ecm);
  e = ladder_after(e, p, line_failure(FaxMode::g711_ecm), t0 + 20min);
  e = ladder_after(e, p, line_failure(FaxMode::g711_ecm), t0 + 30min);
  EXPECT_EQ(ladder_mode(e, p, t0 + 30min), FaxMode::g711_no_ecm);
  e = ladder_after(e, p, line_failure(FaxMode::g711_no_ecm), t0 + 40min);
  e = ladder_after(e, p, line_failure(FaxMode::g711_no_ecm), t0 + 50min);
  EXPECT_EQ(ladder_mode(e, p, t0 + 50min), FaxMode::g711_no_ecm) << "the bottom holds";
}

TEST(FallbackLadder, FailuresDuringOurOwnOverloadCountForNothing) {
  // The bench's bad spell: a hundred dropped calls to one number while our tick was late.
  LadderPolicy p;
  LadderEntry e;
  for (int i = 0; i < 100; ++i) {
    e = ladder_after(e, p, line_failure(FaxMode::t38_ecm, true), t0 + i * 1s);
  }
  EXPECT_EQ(ladder_mode(e, p, t0 + 100s), FaxMode::t38_ecm);
  EXPECT_EQ(e.strikes, 0);
}

TEST(FallbackLadder, OnlyLineTroubleInCallsThatReachedAFaxCounts) {
  LadderPolicy p;
  LadderEntry e;
  for (auto cause : {FailureCode::busy, FailureCode::no_answer, FailureCode::carrier_unreachable,
                     FailureCode::not_a_fax, FailureCode::rejected}) {
    e = ladder_after(e, p, {.used = FaxMode::t38_ecm, .cause = cause, .reached_fax = true}, t0);
    e = ladder_after(e, p, {.used = FaxMode::t38_ecm, .cause = cause, .reached_fax = true}, t0);
  }
  LadderEvent unanswered = line_failure(FaxMode::t38_ecm);
  unanswered.reached_fax = false;
  e = ladder_after(e, p, unanswered, t0);
  e = ladder_after(e, p, unanswered, t0);
  EXPECT_EQ(ladder_mode(e, p, t0), FaxMode::t38_ecm);
}

TEST(FallbackLadder, ASuccessInBetweenClearsTheStrike) {
  LadderPolicy p;
  LadderEntry e;
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0);
  e = ladder_after(e, p, success(FaxMode::t38_ecm), t0 + 1min);
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0 + 2min);
  EXPECT_EQ(ladder_mode(e, p, t0 + 2min), FaxMode::t38_ecm);
}

TEST(FallbackLadder, StrikesFarApartAreForgotten) {
  LadderPolicy p;
  LadderEntry e;
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0);
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0 + 7h);
  EXPECT_EQ(ladder_mode(e, p, t0 + 7h), FaxMode::t38_ecm);
  EXPECT_EQ(e.strikes, 1);
}

TEST(FallbackLadder, LateOutcomesOfAnOldModeDoNotStepTwice) {
  // Ten faxes were dialled in T.38; two failures minutes apart step the number down; the eight
  // others failing afterwards in T.38 say nothing about G.711.
  LadderPolicy p;
  LadderEntry e;
  for (int i = 0; i < 10; ++i)
    e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0 + i * 2min);
  EXPECT_EQ(ladder_mode(e, p, t0 + 20min), FaxMode::g711_ecm);
}

TEST(FallbackLadder, ABurstOfSimultaneousFailuresIsOneStrike) {
  // The bench's spell: 36 calls to one number dropped in the same second. One occasion.
  LadderPolicy p;
  LadderEntry e;
  for (int i = 0; i < 36; ++i) {
    e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0 + i * 10ms);
  }
  EXPECT_EQ(ladder_mode(e, p, t0 + 1s), FaxMode::t38_ecm);
  EXPECT_EQ(e.strikes, 1);
  // Still within the gap of the strike (not of the last failure): the same occasion.
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0 + 59s);
  EXPECT_EQ(ladder_mode(e, p, t0 + 59s), FaxMode::t38_ecm);
  // A separate occasion, with no success in between: the second strike steps down.
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0 + 60s);
  EXPECT_EQ(ladder_mode(e, p, t0 + 60s), FaxMode::g711_ecm);
}

TEST(FallbackLadder, TheGapBetweenOccasionsIsAPolicyValue) {
  LadderPolicy p;
  p.strike_gap = 10min;
  LadderEntry e;
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0);
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0 + 5min);
  EXPECT_EQ(ladder_mode(e, p, t0 + 5min), FaxMode::t38_ecm);
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0 + 10min);
  EXPECT_EQ(ladder_mode(e, p, t0 + 10min), FaxMode::g711_ecm);
}

TEST(FallbackLadder, MixedResultsOfTwoModesDoNotFlap) {
  // After a step down, calls dialled before it (T.38) and after it (G.711) end in any order.
  // Today's bench flipped the number at every result; now a T.38 success climbs back and a
  // G.711 success leaves it there.
  LadderPolicy p;
  LadderEntry e;
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0);
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0 + 2min);
  ASSERT_EQ(ladder_mode(e, p, t0 + 2min), FaxMode::g711_ecm);
  e = ladder_after(e, p, success(FaxMode::g711_ecm), t0 + 3min);
  EXPECT_EQ(ladder_mode(e, p, t0 + 3min), FaxMode::g711_ecm);
  e = ladder_after(e, p, success(FaxMode::t38_ecm), t0 + 4min);
  EXPECT_EQ(ladder_mode(e, p, t0 + 4min), FaxMode::t38_ecm);
  int changes = 0;
  FaxMode before = ladder_mode(e, p, t0 + 4min);
  for (int i = 0; i < 20; ++i) {
    const auto used = i % 2 ? FaxMode::g711_ecm : FaxMode::t38_ecm;
    e = ladder_after(e, p, success(used), t0 + 5min + i * 1s);
    const FaxMode now = ladder_mode(e, p, t0 + 5min + i * 1s);
    changes += now != before ? 1 : 0;
    before = now;
  }
  EXPECT_EQ(changes, 0);
  EXPECT_EQ(before, FaxMode::t38_ecm);
}

TEST(FallbackLadder, AStepDownDecaysOneStepPerPeriod) {
  LadderPolicy p;
  LadderEntry e;
  int i = 0;
  for (auto m : {FaxMode::t38_ecm, FaxMode::t38_ecm, FaxMode::g711_ecm, FaxMode::g711_ecm}) {
    e = ladder_after(e, p, line_failure(m), t0 - 5min + i++ * 1min);
  }
  ASSERT_EQ(ladder_mode(e, p, t0), FaxMode::g711_no_ecm);
  EXPECT_EQ(ladder_mode(e, p, t0 + 23h), FaxMode::g711_no_ecm);
  EXPECT_EQ(ladder_mode(e, p, t0 + 24h), FaxMode::g711_ecm);
  EXPECT_EQ(ladder_mode(e, p, t0 + 48h), FaxMode::t38_ecm);
  EXPECT_EQ(ladder_mode(e, p, t0 + 480h), FaxMode::t38_ecm);
  // Climbed back to G.711+ECM and failing there twice again: down, with a fresh clock.
  e = ladder_after(e, p, line_failure(FaxMode::g711_ecm), t0 + 25h);
  e = ladder_after(e, p, line_failure(FaxMode::g711_ecm), t0 + 26h);
  EXPECT_EQ(ladder_mode(e, p, t0 + 26h), FaxMode::g711_no_ecm);
  EXPECT_EQ(ladder_mode(e, p, t0 + 49h), FaxMode::g711_no_ecm);
  EXPECT_EQ(ladder_mode(e, p, t0 + 50h), FaxMode::g711_ecm);
}

TEST(FallbackLadder, ASuccessInALowerModeDoesNotStepDown) {
  LadderPolicy p;
  LadderEntry e;
  e = ladder_after(e, p, success(FaxMode::g711_ecm), t0);
  EXPECT_EQ(ladder_mode(e, p, t0), FaxMode::t38_ecm);
  e = ladder_after(e, p, success(FaxMode::g711_no_ecm), t0 + 1min);
  EXPECT_EQ(ladder_mode(e, p, t0 + 1min), FaxMode::t38_ecm);
  // Nor does it vouch for the current mode: a strike before it still counts.
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0 + 2min);
  e = ladder_after(e, p, success(FaxMode::g711_ecm), t0 + 3min);
  e = ladder_after(e, p, line_failure(FaxMode::t38_ecm), t0 + 4min);
  EXPECT_EQ(ladder_mode(e, p, t0 + 4min), FaxMode::g711_ecm);
}

TEST(FallbackLadder, ASuccessInAHigherModeClimbsBack) {
  LadderPolicy p;
  LadderEntry e{.mode = FaxMode::g711_no_ecm, .stepped_at = t0};
  e = ladder_after(e, p, success(FaxMode::g711_ecm), t0 + 1h);
  EXPECT_EQ(ladder_mode(e, p, t0 + 1h), FaxMode::g711_ecm);
  e = ladder_after(e, p, success(FaxMode::t38_ecm), t0 + 2h);
  EXPECT_EQ(ladder_mode(e, p, t0 + 2h), FaxMode::t38_ecm);
  EXPECT_FALSE(e.stepped_at.has_value());
}

}  // namespace
}  // namespace faxd::jobs
