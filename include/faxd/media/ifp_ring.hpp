#pragma once
// The last kUdptlHistory IFPs by sequence number: what UDPTL redundancy and FEC are built from
// (encoder) and repaired from (decoder). One buffer whose slot size follows the largest IFP
// seen, up to kUdptlMaxIfp: a call at the usual 400-byte datagrams keeps about 6 KB a side
// instead of 22 KB, and only the few datagrams that first exceed the slot size allocate.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "faxd/media/udptl.hpp"

namespace faxd::media {

class IfpRing {
 public:
  explicit IfpRing(std::size_t slot_size = 0) { reserve(slot_size); }

  // Room for IFPs of `len` bytes (at most kUdptlMaxIfp). Growing moves every slot, so spans
  // from get() are stale afterwards: reserve before handing any out.
  void reserve(std::size_t len);
  // Stores `data` (at most slot_size() bytes) as `seq`, replacing what its slot held.
  void put(std::uint16_t seq, std::span<const std::uint8_t> data);
  // Marks the slot of `seq` empty (a packet known to be missing).
  void forget(std::uint16_t seq);
  // The slot of `seq` holds `seq` itself.
  bool has(std::uint16_t seq) const;
  // The bytes in the slot of `seq`, whichever packet put them there (empty if none).
  std::span<const std::uint8_t> get(std::uint16_t seq) const;
  std::size_t slot_size() const { return slot_size_; }

 private:
  struct Meta {
    bool present = false;
    std::uint16_t seq = 0;
    std::uint16_t len = 0;
  };
  static std::size_t index(std::uint16_t seq) { return seq % kUdptlHistory; }

  std::array<Meta, kUdptlHistory> meta_{};
  std::size_t slot_size_ = 0;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace faxd::media
