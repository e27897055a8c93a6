#include "faxd/media/ifp_ring.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace faxd::media {

namespace {

// The first slot size a decoder picks: IFPs of a 14400 bit/s T.38 call are well under it.
constexpr std::size_t kMinSlot = 256;

}  // namespace

void IfpRing::reserve(std::size_t len) {
  if (len <= slot_size_ || slot_size_ == kUdptlMaxIfp) return;
  const std::size_t size = std::min(std::max({len, 2 * slot_size_, kMinSlot}), kUdptlMaxIfp);
  std::vector<std::uint8_t> bytes(kUdptlHistory * size);
  // A ring that never held anything has no bytes yet (slot_size_ 0, bytes_.data() null):
  // memcpy from a null pointer is undefined even for 0 bytes, so copy only what is there.
  for (std::size_t i = 0; i < kUdptlHistory; ++i) {
    if (meta_[i].len > 0)
      std::memcpy(bytes.data() + i * size, bytes_.data() + i * slot_size_, meta_[i].len);
  }
  bytes_ = std::move(bytes);
  slot_size_ = size;
}

void IfpRing::put(std::uint16_t seq, std::span<const std::uint8_t> data) {
  assert(data.size() <= slot_size_);
  const std::size_t len = std::min(data.size(), slot_size_);
  Meta& m = meta_[index(seq)];
  m = Meta{true, seq, static_cast<std::uint16_t>(len)};
  if (len > 0) std::memcpy(bytes_.data() + index(seq) * slot_size_, data.data(), len);
}

void IfpRing::forget(std::uint16_t seq) {
  Meta& m = meta_[index(seq)];
  m.present = false;
  m.seq = seq;
}

bool IfpRing::has(std::uint16_t seq) const {
  const Meta& m = meta_[index(seq)];
  return m.present && m.seq == seq;
}

std::span<const std::uint8_t> IfpRing::get(std::uint16_t seq) const {
  const Meta& m = meta_[index(seq)];
  if (m.len == 0) return {};
  return {bytes_.data() + index(seq) * slot_size_, m.len};
}

}  // namespace faxd::media
