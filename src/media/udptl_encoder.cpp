#include "faxd/media/udptl_encoder.hpp"

#include <algorithm>
#include <cstring>

#include "per_length.hpp"

namespace faxd::media {

namespace {

constexpr std::size_t open_type_size(std::size_t len) {
  return per::length_size(len) + len;
}

}  // namespace

UdptlEncoder::UdptlEncoder(UdptlErrorCorrection mode, int depth, int max_datagram,
                           std::uint16_t first_seq)
    : mode_(mode),
      depth_(std::max(0, depth)),
      max_datagram_(std::clamp(max_datagram, 16, static_cast<int>(kUdptlMaxIfp))),
      next_seq_(first_seq),
      history_(static_cast<std::size_t>(max_datagram_)) {
  if (mode_ == UdptlErrorCorrection::fec) {
    // span x entries packets of history must stay below the ring size.
    depth_ = std::min(depth_, static_cast<int>((kUdptlHistory - 1) / kFecSpan));
  } else {
    depth_ = std::min(depth_, static_cast<int>(kUdptlHistory - 1));
  }
}

Result<std::span<const std::uint8_t>> UdptlEncoder::encode(std::span<const std::uint8_t> ifp) {
  // seq (2) + primary + the smallest error-recovery part (FEC header with no entries: 4).
  if (ifp.empty() || open_type_size(ifp.size()) + 6 > static_cast<std::size_t>(max_datagram_)) {
    return fail(Errc::too_large, "IFP does not fit the peer's max datagram");
  }
  std::size_t pos = 0;
  out_[pos++] = static_cast<std::uint8_t>(next_seq_ >> 8);
  out_[pos++] = static_cast<std::uint8_t>(next_seq_ & 0xff);
  per::put_length(out_.data(), pos, ifp.size());
  std::memcpy(out_.data() + pos, ifp.data(), ifp.size());
  pos += ifp.size();

  pos = mode_ == UdptlErrorCorrection::fec ? encode_fec(ifp, pos) : encode_redundancy(ifp, pos);

  history_.put(next_seq_, ifp);
  ++next_seq_;
  ++sent_;
  return std::span<const std::uint8_t>(out_.data(), pos);
}

std::size_t UdptlEncoder::encode_redundancy(std::span<const std::uint8_t>, std::size_t pos) {
  const auto room = static_cast<std::size_t>(max_datagram_);
  std::size_t entries = std::min<std::size_t>(static_cast<std::size_t>(depth_), sent_);
  // Drop the oldest secondaries until the datagram fits.
  while (entries > 0) {
    std::size_t size = pos + 1 + per::length_size(entries);
    for (std::size_t i = 1; i <= entries; ++i) {
      size += open_type_size(history_.get(static_cast<std::uint16_t>(next_seq_ - i)).size());
    }
    if (size <= room) break;
    --entries;
  }
  out_[pos++] = 0x00;  // CHOICE: secondary IFP packets
  per::put_length(out_.data(), pos, entries);
  for (std::size_t i = 1; i <= entries; ++i) {
    const auto s = history_.get(static_cast<std::uint16_t>(next_seq_ - i));
    per::put_length(out_.data(), pos, s.size());
    if (!s.empty()) std::memcpy(out_.data() + pos, s.data(), s.size());
    pos += s.size();
  }
  return pos;
}

std::size_t UdptlEncoder::encode_fec(std::span<const std::uint8_t>, std::size_t pos) {
  const auto room = static_cast<std::size_t>(max_datagram_);
  std::size_t span = kFecSpan;
  std::size_t entries = static_cast<std::size_t>(depth_);
  if (sent_ < span * entries) {
    // Wind the FEC back while history fills up.
    entries = static_cast<std::size_t>(sent_ / span);
  }
  // Parity entry m covers packets seq+m-span*entries, stepping by `entries`, all before seq.
  auto parity_len = [&](std::size_t m, std::size_t n) {
    std::size_t len = 0;
    for (std::size_t k = 0; k < span; ++k) {
      const auto seq = static_cast<std::uint16_t>(next_seq_ + m - span * n + k * n);
      len = std::max(len, history_.get(seq).size());
    }
    return len;
  };
  while (entries > 0) {
    std::size_t size = pos + 3 + per::length_size(entries);
    for (std::size_t m = 0; m < entries; ++m) size += open_type_size(parity_len(m, entries));
    if (size <= room) break;
    --entries;
  }
  if (entries == 0) span = 0;
  out_[pos++] = 0x80;  // CHOICE: FEC
  out_[pos++] = 1;     // fec-npackets: an unconstrained integer of one octet
  out_[pos++] = static_cast<std::uint8_t>(span);
  per::put_length(out_.data(), pos, entries);
  for (std::size_t m = 0; m < entries; ++m) {
    const std::size_t len = parity_len(m, entries);
    std::fill_n(fec_scratch_.begin(), len, std::uint8_t{0});
    for (std::size_t k = 0; k < span; ++k) {
      const auto seq = static_cast<std::uint16_t>(next_seq_ + m - span * entries + k * entries);
      const auto s = history_.get(seq);
      for (std::size_t j = 0; j < s.size(); ++j) fec_scratch_[j] ^= s[j];
    }
    per::put_length(out_.data(), pos, len);
    std::memcpy(out_.data() + pos, fec_scratch_.data(), len);
    pos += len;
  }
  return pos;
}

}  // namespace faxd::media
