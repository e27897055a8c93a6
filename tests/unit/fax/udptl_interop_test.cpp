// Our UDPTL on the wire, judged by Wireshark's T.38 dissector: the datagrams of a simulated fax
// (redundancy, and FEC) are written to a pcap and decoded by tshark; none may be malformed.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "back_to_back.hpp"
#include "temp_dir.hpp"
#include "tiff_fixture.hpp"

namespace faxd::fax {
namespace {

void put16(std::vector<std::uint8_t>& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32le(std::ofstream& out, std::uint32_t v) {
  const char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 24)};
  out.write(b, 4);
}

// Ethernet/IPv4/UDP frames from 10.0.0.1:4000 to 10.0.0.2:4002.
void write_pcap(const std::string& path, const std::vector<std::vector<std::uint8_t>>& payloads) {
  std::ofstream out(path, std::ios::binary);
  put32le(out, 0xa1b2c3d4);
  out.write("\x02\x00\x04\x00", 4);  // version 2.4
  put32le(out, 0);
  put32le(out, 0);
  put32le(out, 65535);
  put32le(out, 1);  // Ethernet
  std::uint32_t usec = 0;
  for (const auto& p : payloads) {
    std::vector<std::uint8_t> f(12, 0x02);
    put16(f, 0x0800);
    const unsigned ip_len = 20 + 8 + static_cast<unsigned>(p.size());
    f.insert(f.end(), {0x45, 0x00});
    put16(f, ip_len);
    f.insert(f.end(), {0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2});
    put16(f, 4000);
    put16(f, 4002);
    put16(f, 8 + static_cast<unsigned>(p.size()));
    put16(f, 0);
    f.insert(f.end(), p.begin(), p.end());
    usec += 20000;
    put32le(out, usec / 1000000);
    put32le(out, usec % 1000000);
    put32le(out, static_cast<std::uint32_t>(f.size()));
    put32le(out, static_cast<std::uint32_t>(f.size()));
    out.write(reinterpret_cast<const char*>(f.data()), static_cast<std::streamsize>(f.size()));
  }
}

struct Verdict {
  int frames = 0;
  int with_seq = 0;   // frames where the dissector found the UDPTL sequence number
  int malformed = 0;  // dissector exceptions ("Malformed Packet (Exception occurred)")
};

Verdict tshark_verdict(const std::string& pcap) {
  const std::string cmd = "tshark -r " + pcap +
                          " -d udp.port==4000,t38 -T fields -E separator=/t -e frame.number"
                          " -e t38.seq_number -e _ws.expert.message 2>/dev/null";
  Verdict v;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return v;
  char line[512];
  while (std::fgets(line, sizeof line, p)) {
    // Without the SDP of a call, Wireshark's T.4/HDLC reassembly flags a "sig-end" whose
    // fragments it never saw; that is its bookkeeping, not our framing, so only dissector
    // exceptions count as malformed.
    const std::string l(line);
    ++v.frames;
    const auto tab = l.find('\t');
    if (tab != std::string::npos && tab + 1 < l.size() && l[tab + 1] != '\t') ++v.with_seq;
    if (l.find("Exception occurred") != std::string::npos) ++v.malformed;
  }
  ::pclose(p);
  return v;
}

std::vector<std::vector<std::uint8_t>> datagrams_of_a_fax(media::UdptlErrorCorrection ec,
                                                          int max_datagram) {
  test::TempDir dir;
  EXPECT_TRUE(test::write_tiff_f(dir.file("doc.tif"), 1, 300));
  FaxJob tx;
  tx.direction = Direction::send;
  tx.tiff_path = dir.file("doc.tif");
  tx.local_station_id = "interop";
  FaxJob rx = tx;
  rx.direction = Direction::receive;
  rx.tiff_path = dir.file("rx.tif");
  test::BackToBack b2b(tx, rx, SessionOptions{});
  media::T38Params params;
  params.error_correction = ec;
  params.max_datagram = max_datagram;
  EXPECT_TRUE(b2b.a.start_t38(params));
  EXPECT_TRUE(b2b.b.start_t38(params));
  std::vector<std::vector<std::uint8_t>> sent;
  for (int t = 0; t < 60 * 50 && !(b2b.a_sink.result && b2b.b_sink.result); ++t) {
    b2b.a.tick();
    b2b.b.tick();
    sent.insert(sent.end(), b2b.a_sink.udptl.begin(), b2b.a_sink.udptl.end());
    for (const auto& d : b2b.a_sink.udptl) b2b.b.on_udptl(d);
    for (const auto& d : b2b.b_sink.udptl) b2b.a.on_udptl(d);
    b2b.a_sink.udptl.clear();
    b2b.b_sink.udptl.clear();
  }
  EXPECT_TRUE(b2b.a_sink.result && b2b.a_sink.result->ok);
  return sent;
}

bool have_tshark() {
  return std::system("tshark -v >/dev/null 2>&1") == 0;
}

TEST(UdptlInterop, WiresharkDecodesOurRedundancyDatagrams) {
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed (scripts/deps.sh test)";
  const auto sent = datagrams_of_a_fax(media::UdptlErrorCorrection::redundancy, 176);
  ASSERT_GT(sent.size(), 100u);
  test::TempDir dir;
  write_pcap(dir.file("red.pcap"), sent);
  const Verdict v = tshark_verdict(dir.file("red.pcap"));
  EXPECT_EQ(v.frames, static_cast<int>(sent.size()));
  EXPECT_EQ(v.with_seq, v.frames);
  EXPECT_EQ(v.malformed, 0);
}

TEST(UdptlInterop, TheVerdictCatchesTheAttackCapture) {
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed (scripts/deps.sh test)";
  const std::string cmd = "tshark -r " + std::string(FAXD_CORPUS_DIR) +
                          "/pcap/malformed-udptl-ast-2016-003.pcap -d udp.port==2,t38 -T fields"
                          " -e _ws.expert.message 2>/dev/null | grep -c 'Exception occurred'";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_TRUE(p);
  int n = 0;
  EXPECT_EQ(std::fscanf(p, "%d", &n), 1);
  ::pclose(p);
  EXPECT_GT(n, 50);  // the same check that passes our datagrams fails this capture
}

TEST(UdptlInterop, WiresharkDecodesOurFecDatagrams) {
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed (scripts/deps.sh test)";
  const auto sent = datagrams_of_a_fax(media::UdptlErrorCorrection::fec, 400);
  ASSERT_GT(sent.size(), 100u);
  test::TempDir dir;
  write_pcap(dir.file("fec.pcap"), sent);
  const Verdict v = tshark_verdict(dir.file("fec.pcap"));
  EXPECT_EQ(v.frames, static_cast<int>(sent.size()));
  EXPECT_EQ(v.with_seq, v.frames);
  EXPECT_EQ(v.malformed, 0);
}

}  // namespace
}  // namespace faxd::fax
