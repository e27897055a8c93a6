// The tick metrics the engine exposes (p50/p99 of lateness and work time).
#include <gtest/gtest.h>

#include "jitter_histogram.hpp"

namespace faxd::fax {
namespace {

TEST(JitterHistogram, QuantilesAreBucketUpperBounds) {
  JitterHistogram h;
  EXPECT_EQ(h.quantile_us(0.5), 0);            // nothing recorded yet
  for (int i = 0; i < 98; ++i) h.record(100);  // bucket [100, 120)
  h.record(5000);
  h.record(90000);  // beyond the last bucket: kept as the maximum
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.quantile_us(0.50), 120);
  EXPECT_EQ(h.quantile_us(0.99), 5020);
  EXPECT_EQ(h.quantile_us(1.0), JitterHistogram::kBuckets * JitterHistogram::kBucketUs);
  EXPECT_EQ(h.max_us(), 90000);
}

TEST(JitterHistogram, EarlyWakeupsCountAsOnTime) {
  JitterHistogram h;
  h.record(-300);
  EXPECT_EQ(h.quantile_us(0.5), JitterHistogram::kBucketUs);
  EXPECT_EQ(h.max_us(), 0);
}

TEST(JitterHistogram, ResetStartsANewWindow) {
  JitterHistogram h;
  for (int i = 0; i < 10; ++i) h.record(15000);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.max_us(), 0);
  h.record(100);
  EXPECT_EQ(h.quantile_us(0.99), 120) << "the old window's late ticks are gone";
}

}  // namespace
}  // namespace faxd::fax
