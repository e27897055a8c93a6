#pragma once
// UDPTL encoder: turns each outgoing IFP into one datagram with the next sequence number and
// error recovery for the packets before it.
//
// Redundancy (the default) repeats up to `depth` previous IFPs, newest first; FEC sends `depth`
// XOR parity entries over a span of 3 (T.38 Annex A). Entries are dropped, oldest first, until the
// datagram fits the peer's max datagram. Pure: no I/O, no clock, no heap after construction.
// Thread: one owner at a time. The returned view stays valid until the next encode().
#include <array>
#include <cstdint>
#include <span>

#include "faxd/common/error.hpp"
#include "faxd/media/ifp_ring.hpp"
#include "faxd/media/t38_params.hpp"
#include "faxd/media/udptl.hpp"

namespace faxd::media {

class UdptlEncoder {
 public:
  // `depth`: secondaries (redundancy) or parity entries (FEC), clamped to what history allows.
  // `max_datagram`: the peer's effective max datagram (see effective_max_datagram).
  UdptlEncoder(UdptlErrorCorrection mode, int depth, int max_datagram, std::uint16_t first_seq = 0);

  // Frames `ifp` as the next datagram. Fails (and consumes no sequence number) when the IFP
  // alone cannot fit the max datagram.
  Result<std::span<const std::uint8_t>> encode(std::span<const std::uint8_t> ifp);

  std::uint16_t next_seq() const { return next_seq_; }
  UdptlErrorCorrection mode() const { return mode_; }
  int depth() const { return depth_; }
  int max_datagram() const { return max_datagram_; }

  static constexpr int kFecSpan = 3;

 private:
  std::size_t encode_redundancy(std::span<const std::uint8_t> ifp, std::size_t pos);
  std::size_t encode_fec(std::span<const std::uint8_t> ifp, std::size_t pos);

  UdptlErrorCorrection mode_;
  int depth_;
  int max_datagram_;
  std::uint16_t next_seq_;
  std::uint64_t sent_ = 0;  // datagrams framed so far (history fill, independent of wrap)
  IfpRing history_;         // slots of max_datagram_ bytes: no IFP we send is longer
  std::array<std::uint8_t, kUdptlMaxIfp> fec_scratch_{};
  std::array<std::uint8_t, kUdptlMaxIfp + 8> out_{};
};

}  // namespace faxd::media
