#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "faxd/media/rtp_packet.hpp"

namespace faxd::media {
namespace {

TEST(RtpPacket, HeaderRoundTrips) {
  std::array<std::uint8_t, 12 + 4> buf{};
  RtpHeader h{8, true, 65535, 0xdeadbeef, 0x01020304};
  write_rtp_header(h, buf);
  buf[12] = 0xd5;
  const auto p = parse_rtp(buf);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header.payload_type, 8);
  EXPECT_TRUE(p->header.marker);
  EXPECT_EQ(p->header.seq, 65535);
  EXPECT_EQ(p->header.timestamp, 0xdeadbeefu);
  EXPECT_EQ(p->header.ssrc, 0x01020304u);
  ASSERT_EQ(p->payload.size(), 4u);
  EXPECT_EQ(p->payload[0], 0xd5);
}

TEST(RtpPacket, CsrcExtensionAndPaddingAreSkipped) {
  std::vector<std::uint8_t> b = {0xb1, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,  // V2 P X CC=1
                                 1,    2,    3, 4,                          // CSRC
                                 0xbe, 0xde, 0, 1, 9, 9, 9, 9,              // extension, 1 word
                                 0x55, 0x66, 0, 2};                         // payload + 2 padding
  const auto p = parse_rtp(b);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->payload.size(), 2u);
  EXPECT_EQ(p->payload[0], 0x55);
  EXPECT_EQ(p->payload[1], 0x66);
}

TEST(RtpPacket, BrokenPacketsAreRefused) {
  EXPECT_FALSE(parse_rtp(std::vector<std::uint8_t>{0x80, 0, 0}));
  EXPECT_FALSE(parse_rtp(std::vector<std::uint8_t>(12, 0)));  // version 0
  std::vector<std::uint8_t> too_many_csrc(12, 0);
  too_many_csrc[0] = 0x8f;
  EXPECT_FALSE(parse_rtp(too_many_csrc));
  std::vector<std::uint8_t> bad_pad = {0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
  EXPECT_FALSE(parse_rtp(bad_pad));
}

}  // namespace
}  // namespace faxd::media
