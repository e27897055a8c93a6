#pragma once
// UDPTL (T.38 clause 9 / Annex A) framing constants shared by the encoder and the decoder.
//
// A datagram is: 2-byte big-endian sequence number; the primary IFP as a PER open type; then the
// error-recovery CHOICE: secondary IFPs (count, then open types, newest first) or FEC (span,
// count, XOR parity entries). Pure values, no I/O.
#include <cstddef>
#include <cstdint>
#include <span>

namespace faxd::media {

// The largest IFP (and the largest datagram) the codec handles. Peers never advertise more than
// 1400 (see effective_max_datagram).
inline constexpr std::size_t kUdptlMaxIfp = 1400;
// Packets of history kept on both sides: bounds redundancy depth, FEC span x entries and the
// number of lost packets a single datagram can recover.
inline constexpr std::size_t kUdptlHistory = 16;
// Secondaries or FEC entries a received datagram may carry; more is treated as malformed.
inline constexpr std::size_t kUdptlMaxEntries = 32;

// One IFP with its UDPTL sequence number. `data` points into codec-owned storage.
struct UdptlIfp {
  std::uint16_t seq = 0;
  std::span<const std::uint8_t> data;
};

}  // namespace faxd::media
