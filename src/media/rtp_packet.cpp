#include "faxd/media/rtp_packet.hpp"

namespace faxd::media {

namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

void put32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

}  // namespace

std::optional<RtpPacket> parse_rtp(std::span<const std::uint8_t> packet) {
  if (packet.size() < kRtpHeaderSize) return std::nullopt;
  const std::uint8_t b0 = packet[0];
  if ((b0 >> 6) != 2) return std::nullopt;
  RtpPacket out;
  out.header.marker = (packet[1] & 0x80) != 0;
  out.header.payload_type = packet[1] & 0x7f;
  out.header.seq = static_cast<std::uint16_t>((packet[2] << 8) | packet[3]);
  out.header.timestamp = be32(packet.data() + 4);
  out.header.ssrc = be32(packet.data() + 8);
  std::size_t pos = kRtpHeaderSize + 4 * static_cast<std::size_t>(b0 & 0x0f);
  if (pos > packet.size()) return std::nullopt;
  if (b0 & 0x10) {  // header extension: 16-bit profile, 16-bit length in words
    if (pos + 4 > packet.size()) return std::nullopt;
    const std::size_t words = (static_cast<std::size_t>(packet[pos + 2]) << 8) | packet[pos + 3];
    pos += 4 + 4 * words;
    if (pos > packet.size()) return std::nullopt;
  }
  std::size_t end = packet.size();
  if (b0 & 0x20) {  // padding: the last octet counts the padding octets
    const std::size_t pad = packet[end - 1];
    if (pad == 0 || pad > end - pos) return std::nullopt;
    end -= pad;
  }
  out.payload = packet.subspan(pos, end - pos);
  return out;
}

void write_rtp_header(const RtpHeader& header, std::span<std::uint8_t> out) {
  out[0] = 0x80;
  out[1] = static_cast<std::uint8_t>((header.marker ? 0x80 : 0) | (header.payload_type & 0x7f));
  out[2] = static_cast<std::uint8_t>(header.seq >> 8);
  out[3] = static_cast<std::uint8_t>(header.seq);
  put32(out.data() + 4, header.timestamp);
  put32(out.data() + 8, header.ssrc);
}

}  // namespace faxd::media
