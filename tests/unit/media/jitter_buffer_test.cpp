// The G.711 playout buffer on simulated ticks: order, gaps, late packets, delay, restarts.
#include <gtest/gtest.h>

#include <vector>

#include "faxd/media/jitter_buffer.hpp"

namespace faxd::media {
namespace {

std::vector<std::uint8_t> frame(std::uint8_t fill, std::size_t n = 160) {
  return std::vector<std::uint8_t>(n, fill);
}

// One tick's output: the fill byte of the packet played, or -1 for a gap, or -2 for nothing.
int play(JitterBuffer& jb) {
  jb.tick();
  auto p = jb.pop();
  if (!p) return -2;
  if (p->payload.empty()) return -1;
  return p->payload[0];
}

TEST(JitterBuffer, WaitsItsDelayThenPlaysInSequenceOrder) {
  JitterBuffer jb(3);
  EXPECT_EQ(play(jb), -2) << "nothing before the first packet";
  // Arrival order 10, 12, 11, 13: reordered on the way.
  jb.push(10, frame(10));
  EXPECT_EQ(play(jb), -2);
  jb.push(12, frame(12));
  EXPECT_EQ(play(jb), -2);
  jb.push(11, frame(11));
  jb.push(13, frame(13));
  EXPECT_EQ(play(jb), 10) << "60 ms after the first packet";
  EXPECT_EQ(play(jb), 11);
  EXPECT_EQ(play(jb), 12);
  EXPECT_EQ(play(jb), 13);
  EXPECT_EQ(jb.stats().reordered, 1u);
  EXPECT_EQ(jb.stats().lost, 0u);
}

TEST(JitterBuffer, AMissingPacketIsAGapOfOnePacketAtItsTurn) {
  JitterBuffer jb(2);
  jb.push(100, frame(1));
  jb.push(102, frame(3));
  jb.tick();
  jb.tick();
  auto a = jb.pop();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->samples, 160);
  auto gap = jb.pop();
  ASSERT_TRUE(gap);
  EXPECT_TRUE(gap->payload.empty());
  EXPECT_EQ(gap->samples, 160) << "the length of the packets around it";
  auto c = jb.pop();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->payload[0], 3);
  EXPECT_EQ(jb.stats().lost, 1u);
}

TEST(JitterBuffer, AStalledFlowIsWaitedForThenPlayedWholeAndLate) {
  // A loaded sender's tick runs late and its packets come in a burst: nothing is lost.
  JitterBuffer jb(1);
  jb.push(1, frame(1));
  EXPECT_EQ(play(jb), 1);
  EXPECT_EQ(play(jb), -2) << "2 is late, not lost: wait";
  EXPECT_EQ(play(jb), -2);
  jb.push(2, frame(2));
  jb.push(3, frame(3));
  jb.push(4, frame(4));
  jb.tick();
  std::vector<int> burst;
  while (auto p = jb.pop()) burst.push_back(p->payload[0]);
  EXPECT_EQ(burst, (std::vector<int>{2, 3, 4})) << "the caller catches up on what it owes";
  EXPECT_EQ(jb.stats().lost, 0u);
  EXPECT_EQ(jb.stats().late, 0u);
}

TEST(JitterBuffer, ALongSilenceIsPlayedAsGapsAndWhatComesAfterItsTurnIsLate) {
  JitterBuffer jb(1);
  jb.push(1, frame(1));
  EXPECT_EQ(play(jb), 1);
  for (int i = 0; i < JitterBuffer::kMaxWaitTicks; ++i) EXPECT_EQ(play(jb), -2);
  // The sender went quiet: from now on every tick plays a gap, so T.30 timers run.
  EXPECT_EQ(play(jb), -1);
  EXPECT_EQ(play(jb), -1);
  jb.push(2, frame(2));
  EXPECT_EQ(jb.stats().late, 1u);
  jb.push(4, frame(4));
  EXPECT_EQ(play(jb), 4);
  jb.push(4, frame(4));
  EXPECT_EQ(jb.stats().late, 2u);
}

TEST(JitterBuffer, DuplicatesAreStoredOnce) {
  JitterBuffer jb(1);
  jb.push(7, frame(7));
  jb.push(7, frame(7));
  EXPECT_EQ(jb.stats().duplicate, 1u);
  EXPECT_EQ(play(jb), 7);
  EXPECT_EQ(play(jb), -2);
}

TEST(JitterBuffer, SequenceNumbersWrap) {
  JitterBuffer jb(1);
  jb.push(65534, frame(1));
  jb.push(0, frame(3));
  jb.push(65535, frame(2));
  EXPECT_EQ(play(jb), 1);
  EXPECT_EQ(play(jb), 2);
  EXPECT_EQ(play(jb), 3);
}

TEST(JitterBuffer, AFastSenderDoesNotGrowTheDelay) {
  JitterBuffer jb(3);
  std::uint16_t seq = 0;
  // Two packets per tick for a while: the depth stays bounded.
  for (int t = 0; t < 200; ++t) {
    jb.push(seq, frame(static_cast<std::uint8_t>(seq)));
    ++seq;
    jb.push(seq, frame(static_cast<std::uint8_t>(seq)));
    ++seq;
    play(jb);
    EXPECT_LE(jb.depth(), 2 * 3 + 6);
  }
  EXPECT_GT(jb.stats().overflow, 0u);
}

TEST(JitterBuffer, ASequenceJumpRestartsWithTheDelay) {
  JitterBuffer jb(2);
  jb.push(10, frame(10));
  EXPECT_EQ(play(jb), -2);
  EXPECT_EQ(play(jb), 10);
  jb.push(30000, frame(99));  // a new source
  EXPECT_EQ(jb.stats().restarts, 1u);
  EXPECT_EQ(play(jb), -2);
  EXPECT_EQ(play(jb), 99);
}

TEST(JitterBuffer, JitterWithinTheDelayLosesNothing) {
  // Packets sent every 20 ms arrive up to +-30 ms off (and so out of order); a 80 ms delay
  // plays every one of them, in order.
  JitterBuffer jb(4);
  std::vector<std::pair<int, std::uint16_t>> arrivals;  // (arrival ms, seq)
  const int offsets[] = {0, 30, -30, 10, -20, 25, -5, 30, -30, 0};
  for (std::uint16_t s = 0; s < 500; ++s) {
    arrivals.push_back({s * 20 + 30 + offsets[s % 10], s});
  }
  std::sort(arrivals.begin(), arrivals.end());
  std::size_t next = 0;
  std::vector<int> played;
  for (int now = 0; now < 500 * 20 + 200; now += 20) {
    while (next < arrivals.size() && arrivals[next].first <= now) {
      jb.push(arrivals[next].second, frame(static_cast<std::uint8_t>(arrivals[next].second)));
      ++next;
    }
    const int got = play(jb);
    if (got >= 0) played.push_back(got);
  }
  ASSERT_EQ(played.size(), 500u);
  for (std::size_t i = 0; i < played.size(); ++i) EXPECT_EQ(played[i], static_cast<int>(i % 256));
  EXPECT_EQ(jb.stats().late, 0u);
  EXPECT_GT(jb.stats().reordered, 0u);
}

TEST(JitterBuffer, ARedundantCopyFillsAHoleNotYetPlayedAndNothingElse) {
  JitterBuffer jb(2);
  jb.push_redundant(9, frame(9));
  EXPECT_EQ(jb.stored(), 0) << "a copy does not start the buffer";
  jb.push(10, frame(10));
  // 11 was lost; 12 carries copies of 10 (already here) and 11.
  jb.push_redundant(10, frame(10));
  jb.push_redundant(11, frame(11));
  jb.push(12, frame(12));
  EXPECT_EQ(play(jb), -2);
  EXPECT_EQ(play(jb), 10);
  EXPECT_EQ(play(jb), 11) << "recovered from the copy";
  EXPECT_EQ(play(jb), 12);
  // Copies of packets already played are no news: not late, no restart.
  jb.push_redundant(11, frame(11));
  jb.push_redundant(40000, frame(1));
  EXPECT_EQ(jb.stats().recovered, 1u);
  EXPECT_EQ(jb.stats().duplicate, 0u);
  EXPECT_EQ(jb.stats().late, 0u);
  EXPECT_EQ(jb.stats().restarts, 0u);
  EXPECT_EQ(jb.stats().lost, 0u);
}

}  // namespace
}  // namespace faxd::media
