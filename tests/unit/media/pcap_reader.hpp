#pragma once
// A tiny reader for classic pcap files (Ethernet or Linux cooked capture, IPv4/IPv6, UDP), enough
// to feed captured UDP payloads to the codecs under test. Test-only.
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace faxd::test {

struct UdpDatagram {
  int frame = 0;  // 1-based, as tshark numbers frames
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::vector<std::uint8_t> payload;
};

inline std::vector<UdpDatagram> read_pcap_udp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> f((std::istreambuf_iterator<char>(in)), {});
  std::vector<UdpDatagram> out;
  if (f.size() < 24) return out;
  const std::uint32_t magic = f[0] | (f[1] << 8) | (f[2] << 16) | (std::uint32_t{f[3]} << 24);
  const bool swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
  if (!swapped && magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) return out;
  auto u32 = [&](std::size_t p) -> std::uint32_t {
    return swapped ? (std::uint32_t{f[p]} << 24) | (f[p + 1] << 16) | (f[p + 2] << 8) | f[p + 3]
                   : f[p] | (f[p + 1] << 8) | (f[p + 2] << 16) | (std::uint32_t{f[p + 3]} << 24);
  };
  auto be16 = [&](std::size_t p) -> std::uint16_t {
    return static_cast<std::uint16_t>((f[p] << 8) | f[p + 1]);
  };
  const std::uint32_t linktype = u32(20);
  std::size_t pos = 24;
  int frame = 0;
  while (pos + 16 <= f.size()) {
    const std::uint32_t caplen = u32(pos + 8);
    pos += 16;
    if (pos + caplen > f.size()) break;
    ++frame;
    const std::size_t start = pos, end = pos + caplen;
    pos = end;
    std::size_t p = start;
    std::uint16_t ethertype = 0;
    if (linktype == 1) {  // Ethernet
      if (p + 14 > end) continue;
      ethertype = be16(p + 12);
      p += 14;
      while (ethertype == 0x8100 && p + 4 <= end) {  // VLAN tags
        ethertype = be16(p + 2);
        p += 4;
      }
    } else if (linktype == 113) {  // Linux cooked capture v1
      if (p + 16 > end) continue;
      ethertype = be16(p + 14);
      p += 16;
    } else {
      continue;
    }
    std::uint8_t proto = 0;
    if (ethertype == 0x0800) {
      if (p + 20 > end) continue;
      const std::size_t ihl = (f[p] & 0x0f) * 4u;
      proto = f[p + 9];
      const std::size_t total = be16(p + 2);
      if ((be16(p + 6) & 0x1fff) != 0) continue;  // not the first fragment
      const std::size_t ip_end = std::min(end, p + total);
      p += ihl;
      if (proto != 17 || p + 8 > ip_end) continue;
      const std::size_t udp_len = be16(p + 4);
      UdpDatagram d;
      d.frame = frame;
      d.src_port = be16(p);
      d.dst_port = be16(p + 2);
      const std::size_t pay_end = std::min(ip_end, p + std::max<std::size_t>(udp_len, 8));
      d.payload.assign(f.begin() + static_cast<std::ptrdiff_t>(p + 8),
                       f.begin() + static_cast<std::ptrdiff_t>(pay_end));
      out.push_back(std::move(d));
    } else if (ethertype == 0x86dd) {
      if (p + 40 > end) continue;
      proto = f[p + 6];
      p += 40;
      if (proto != 17 || p + 8 > end) continue;
      UdpDatagram d;
      d.frame = frame;
      d.src_port = be16(p);
      d.dst_port = be16(p + 2);
      d.payload.assign(f.begin() + static_cast<std::ptrdiff_t>(p + 8),
                       f.begin() + static_cast<std::ptrdiff_t>(end));
      out.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace faxd::test
