#pragma once
// RFC 2198 redundant audio (RTP payload "red"), as V.152 advises for voice-band data: each packet
// carries the previous packets' payloads as well, so a packet lost on the way is recovered from
// the next one. Pure functions over caller-owned bytes; no allocation.
//
// Payload: one 4-byte header per redundant block (F=1, block payload type, 14-bit timestamp
// offset, 10-bit length), a 1-byte header for the primary (F=0, payload type), then the blocks'
// data in header order, the primary's last.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace faxd::media {

struct RedBlock {
  int payload_type = 0;
  std::uint32_t timestamp_offset = 0;  // samples before the packet's timestamp; 0: the primary
  std::span<const std::uint8_t> data;
};

inline constexpr int kMaxRedBlocks = 4;  // the primary and up to 3 redundant blocks

struct RedPayload {
  std::array<RedBlock, kMaxRedBlocks> blocks;  // oldest first, the primary last
  int count = 0;
};

// nullopt-like: count 0 for a malformed payload (truncated, a block over 1023 bytes, an offset
// over 14 bits, more than kMaxRedBlocks blocks).
RedPayload parse_red(std::span<const std::uint8_t> payload);

// Writes `redundant` (oldest first) and the primary into out; returns the bytes written, 0 when
// they do not fit or a block cannot be described (length over 1023, offset over 14 bits).
std::size_t write_red(std::span<const RedBlock> redundant, int primary_type,
                      std::span<const std::uint8_t> primary, std::span<std::uint8_t> out);

}  // namespace faxd::media
