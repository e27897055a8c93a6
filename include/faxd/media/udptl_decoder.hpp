#pragma once
// UDPTL decoder: parses datagrams from the peer and yields the IFPs to hand to T.38, in sequence
// order, each at most once.
//
// Accepts redundancy and FEC, mixed. Sequence numbers wrap at 65536 (modular comparison). A
// datagram older than the newest seen is a duplicate or late: dropped. A gap is filled from the
// datagram's secondaries or repaired from its FEC parity; recovered IFPs come oldest first, then
// the primary. Malformed datagrams are refused whole and leave the state unchanged: broken
// lengths, trailing bytes, an empty primary, more than kUdptlMaxEntries entries, or an empty
// secondary before a real one (empty ones may only pad the end of the list).
// Pure: no I/O, no clock, no heap. Thread: one owner. Returned views stay valid until the next
// decode().
#include <array>
#include <cstdint>
#include <span>

#include "faxd/common/error.hpp"
#include "faxd/media/ifp_ring.hpp"
#include "faxd/media/udptl.hpp"

namespace faxd::media {

struct UdptlDecodeStats {
  std::uint64_t datagrams = 0;
  std::uint64_t malformed = 0;
  std::uint64_t duplicates = 0;  // duplicate or late datagrams dropped
  std::uint64_t recovered = 0;   // IFPs rebuilt from secondaries or FEC
  std::uint64_t lost = 0;        // IFPs given up
};

class UdptlDecoder {
 public:
  static constexpr std::size_t kMaxOut = kUdptlHistory;

  struct Output {
    std::size_t count = 0;
    std::array<UdptlIfp, kMaxOut> ifps{};
    std::span<const UdptlIfp> view() const { return {ifps.data(), count}; }
  };

  // Fails with Errc::invalid_argument for a malformed datagram.
  Result<std::span<const UdptlIfp>> decode(std::span<const std::uint8_t> datagram);

  const UdptlDecodeStats& stats() const { return stats_; }

 private:
  struct Parsed;

  bool have(std::uint16_t seq) const;
  void store(std::uint16_t seq, std::span<const std::uint8_t> data);
  bool repair_from_fec(const Parsed& p, std::uint16_t missing);
  void emit(std::uint16_t seq);

  bool started_ = false;
  std::uint16_t next_ = 0;  // the oldest sequence number not yet delivered or given up
  IfpRing history_;         // slots grow to the largest IFP received
  std::array<std::uint8_t, kUdptlMaxIfp> scratch_{};
  Output out_{};
  UdptlDecodeStats stats_{};
};

}  // namespace faxd::media
