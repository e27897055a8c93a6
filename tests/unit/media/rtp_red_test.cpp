// RFC 2198 redundant audio payloads: what we write is what we read, and malformed ones are none.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "faxd/media/rtp_red.hpp"

namespace faxd::media {
namespace {

TEST(RtpRed, TwoEarlierPacketsAndThePrimaryRoundTrip) {
  const std::vector<std::uint8_t> p1(160, 1), p2(160, 2), p3(160, 3);
  const std::array<RedBlock, 2> redundant{RedBlock{8, 320, p1}, RedBlock{8, 160, p2}};
  std::array<std::uint8_t, 1024> out{};
  const std::size_t n = write_red(redundant, 8, p3, out);
  ASSERT_EQ(n, 4u * 2 + 1 + 3 * 160);
  // The first header: F=1, PT 8, offset 320, length 160.
  EXPECT_EQ(out[0], 0x88);
  EXPECT_EQ((out[1] << 16 | out[2] << 8 | out[3]), (320 << 10) | 160);
  EXPECT_EQ(out[8], 0x08) << "the primary's one-byte header";
  const RedPayload r = parse_red({out.data(), n});
  ASSERT_EQ(r.count, 3);
  EXPECT_EQ(r.blocks[0].timestamp_offset, 320u);
  EXPECT_EQ(r.blocks[1].timestamp_offset, 160u);
  EXPECT_EQ(r.blocks[2].timestamp_offset, 0u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r.blocks[static_cast<std::size_t>(i)].payload_type, 8);
    ASSERT_EQ(r.blocks[static_cast<std::size_t>(i)].data.size(), 160u);
    EXPECT_EQ(r.blocks[static_cast<std::size_t>(i)].data[0], i + 1);
  }
}

TEST(RtpRed, APrimaryAloneIsOneByteOfHeader) {
  const std::vector<std::uint8_t> p(160, 7);
  std::array<std::uint8_t, 200> out{};
  const std::size_t n = write_red({}, 0, p, out);
  ASSERT_EQ(n, 161u);
  const RedPayload r = parse_red({out.data(), n});
  ASSERT_EQ(r.count, 1);
  EXPECT_EQ(r.blocks[0].payload_type, 0);
  EXPECT_EQ(r.blocks[0].data.size(), 160u);
}

TEST(RtpRed, MalformedPayloadsAreNone) {
  EXPECT_EQ(parse_red({}).count, 0);
  const std::vector<std::uint8_t> truncated_header{0x88, 0x05};
  EXPECT_EQ(parse_red(truncated_header).count, 0);
  // A block says 160 bytes, only 10 follow.
  std::vector<std::uint8_t> short_data{0x88, 0x00, 0x00, 0xa0, 0x08};
  short_data.resize(short_data.size() + 10);
  EXPECT_EQ(parse_red(short_data).count, 0);
  // Five headers with F=1: more blocks than anyone sends.
  std::vector<std::uint8_t> many;
  for (int i = 0; i < 5; ++i) many.insert(many.end(), {0x88, 0x00, 0x00, 0x00});
  many.push_back(0x08);
  EXPECT_EQ(parse_red(many).count, 0);
  // Nothing fits a too-small buffer; a block over 1023 bytes cannot be described.
  const std::vector<std::uint8_t> p(160, 1), big(1024, 1);
  std::array<std::uint8_t, 100> small{};
  EXPECT_EQ(write_red({}, 8, p, small), 0u);
  std::array<std::uint8_t, 4096> large{};
  const std::array<RedBlock, 1> too_big{RedBlock{8, 160, big}};
  EXPECT_EQ(write_red(too_big, 8, p, large), 0u);
}

}  // namespace
}  // namespace faxd::media
