// Real captures through the UDPTL decoder: the AST-2016-003 attack capture and the capture of a
// declined T.38 re-INVITE.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "faxd/media/rtp_packet.hpp"
#include "faxd/media/udptl_decoder.hpp"
#include "pcap_reader.hpp"

namespace faxd::media {
namespace {

const std::string kCorpus = FAXD_CORPUS_DIR;

TEST(UdptlPcap, AttackCaptureNeverCrashesAndMalformedDatagramsAreRefused) {
  const auto datagrams = test::read_pcap_udp(kCorpus + "/pcap/malformed-udptl-ast-2016-003.pcap");
  ASSERT_EQ(datagrams.size(), 128u);
  // Frames tshark 4.0 reports as malformed T.38 (`tshark -d udp.port==2,t38`, _ws.malformed).
  std::set<int> malformed = {1, 2};
  for (int f = 28; f <= 63; ++f) malformed.insert(f);
  for (int f = 66; f <= 112; f += 4) {
    malformed.insert(f);
    malformed.insert(f + 1);
    malformed.insert(f + 2);
  }
  UdptlDecoder dec;
  std::set<int> refused;
  for (const auto& d : datagrams) {
    if (!dec.decode(d.payload)) refused.insert(d.frame);
  }
  for (int f : malformed) EXPECT_TRUE(refused.contains(f)) << "frame " << f << " was accepted";
  // Every other frame carries 14 empty secondary IFPs followed by a real one (the attack
  // itself; tshark trips over them only in some frames). Empty secondaries may only pad the end
  // of the list, so those are refused too: nothing of the capture reaches T.30.
  EXPECT_EQ(refused.size(), datagrams.size());
  EXPECT_EQ(dec.stats().malformed, datagrams.size());
  // The decoder is unharmed: the next genuine datagram is delivered.
  const std::vector<std::uint8_t> good = {0x00, 0x2a, 0x01, 0x00, 0x00, 0x00};
  auto r = dec.decode(good);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].seq, 42);
}

TEST(UdptlPcap, DeclinedReinviteCaptureCarriesAudioNotT38OnTheImagePort) {
  // The re-INVITE to T.38 was answered 488: what tshark labels "T.38" on 15580 -> 16756 is the
  // PCMA stream that went on. Our decoder must refuse it rather than feed noise to T.30.
  const auto datagrams = test::read_pcap_udp(kCorpus + "/pcap/t38-reinvite-declined-488.pcap");
  int on_port = 0, refused = 0, rtp_ok = 0, pcma = 0;
  UdptlDecoder dec;
  for (const auto& d : datagrams) {
    if (d.src_port != 15580 || d.dst_port != 16756) continue;
    ++on_port;
    if (!dec.decode(d.payload)) ++refused;
    const auto rtp = parse_rtp(d.payload);
    if (rtp) ++rtp_ok;
    if (rtp && rtp->header.payload_type == 8 && rtp->payload.size() == 160) ++pcma;
  }
  EXPECT_GE(on_port, 27);
  EXPECT_EQ(refused, on_port);
  EXPECT_EQ(rtp_ok, on_port);
  EXPECT_GE(pcma, 27);
}

}  // namespace
}  // namespace faxd::media
