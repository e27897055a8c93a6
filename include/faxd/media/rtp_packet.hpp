#pragma once
// RTP (RFC 3550) fixed header: parse a received packet, write the header of an outgoing one.
// Pure functions over caller-owned bytes; no allocation.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace faxd::media {

inline constexpr std::size_t kRtpHeaderSize = 12;

struct RtpHeader {
  std::uint8_t payload_type = 0;
  bool marker = false;
  std::uint16_t seq = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
};

struct RtpPacket {
  RtpHeader header;
  std::span<const std::uint8_t> payload;  // CSRCs, extension and padding removed
};

// nullopt for anything that is not a well-formed RTP version 2 packet.
std::optional<RtpPacket> parse_rtp(std::span<const std::uint8_t> packet);

// Writes the 12-byte header (no CSRC, no extension) into out[0..12); out must hold 12 bytes.
void write_rtp_header(const RtpHeader& header, std::span<std::uint8_t> out);

}  // namespace faxd::media
