#include "faxd/media/udptl_decoder.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "per_length.hpp"

namespace faxd::media {

namespace {

// A datagram this far behind the newest is not late but a peer that restarted its numbering.
constexpr int kResyncDistance = 256;

}  // namespace

struct UdptlDecoder::Parsed {
  std::uint16_t seq = 0;
  std::span<const std::uint8_t> primary;
  bool fec = false;
  std::size_t fec_span = 0;
  std::size_t count = 0;  // secondaries or parity entries
  std::array<std::span<const std::uint8_t>, kUdptlMaxEntries> entries{};
};

namespace {

bool parse(std::span<const std::uint8_t> in, auto& p) {
  if (in.size() < 4) return false;
  p.seq = static_cast<std::uint16_t>((in[0] << 8) | in[1]);
  std::size_t pos = 2;
  const auto primary = per::get_open_type(in, pos);
  // An IFP always holds at least its type-of-msg octet: an empty primary is refused.
  if (!primary || primary->empty() || primary->size() > kUdptlMaxIfp || pos >= in.size()) {
    return false;
  }
  p.primary = *primary;
  const std::uint8_t choice = in[pos++];
  p.fec = (choice & 0x80) != 0;
  if (p.fec) {
    // fec-npackets is an unconstrained INTEGER: a length octet, then the value.
    const auto int_len = per::get_length(in, pos);
    if (!int_len || *int_len < 1 || *int_len > 2 || *int_len > in.size() - pos) return false;
    std::size_t span = 0;
    for (std::size_t i = 0; i < *int_len; ++i) span = (span << 8) | in[pos++];
    p.fec_span = span;
  }
  const auto count = per::get_length(in, pos);
  if (!count || *count > kUdptlMaxEntries) return false;
  p.count = *count;
  bool padding = false;
  for (std::size_t i = 0; i < p.count; ++i) {
    const auto entry = per::get_open_type(in, pos);
    if (!entry || entry->size() > kUdptlMaxIfp) return false;
    if (!p.fec) {
      // Empty secondaries may only pad the end of the list (slots older than the first packet
      // a sender has); an empty one before a real one is the AST-2016-003 attack pattern.
      if (entry->empty()) {
        padding = true;
      } else if (padding) {
        return false;
      }
    }
    p.entries[i] = *entry;
  }
  // UDPTL datagrams are octet-exact: anything after the last entry is not ours.
  return pos == in.size();
}

}  // namespace

Result<std::span<const UdptlIfp>> UdptlDecoder::decode(std::span<const std::uint8_t> datagram) {
  ++stats_.datagrams;
  Parsed p;
  if (!parse(datagram, p)) {
    ++stats_.malformed;
    return fail(Errc::invalid_argument, "malformed UDPTL datagram");
  }
  out_.count = 0;
  // Make room before anything is stored or handed out: growing moves every slot.
  std::size_t longest = p.primary.size();
  for (std::size_t i = 0; i < p.count; ++i) longest = std::max(longest, p.entries[i].size());
  history_.reserve(longest);
  const std::uint16_t seq = p.seq;
  if (started_) {
    const auto diff = static_cast<std::int16_t>(static_cast<std::uint16_t>(seq - next_));
    if (diff < 0 && diff > -kResyncDistance) {
      ++stats_.duplicates;
      return out_.view();
    }
    if (diff < 0) started_ = false;
  }
  if (!started_) {
    started_ = true;
    // A first datagram may already carry older IFPs we never saw: deliver them too.
    const std::size_t back = p.fec ? 0 : std::min<std::size_t>(p.count, kUdptlHistory - 1);
    next_ = static_cast<std::uint16_t>(seq - back);
  }
  auto gap = static_cast<std::uint16_t>(seq - next_);
  if (gap > kUdptlHistory - 1) {
    stats_.lost += gap - (kUdptlHistory - 1);
    next_ = static_cast<std::uint16_t>(seq - (kUdptlHistory - 1));
    gap = kUdptlHistory - 1;
  }
  // Everything in [next_, seq) is missing: forget what the ring held there.
  for (std::uint16_t i = 0; i < gap; ++i) {
    history_.forget(static_cast<std::uint16_t>(next_ + i));
  }
  if (p.fec) {
    // A repaired packet may complete another parity group: repeat until nothing changes.
    bool progress = gap > 0;
    while (progress) {
      progress = false;
      for (std::uint16_t i = 0; i < gap; ++i) {
        const auto m = static_cast<std::uint16_t>(next_ + i);
        if (!have(m) && repair_from_fec(p, m)) progress = true;
      }
    }
  } else {
    for (std::uint16_t i = 0; i < gap; ++i) {
      const auto m = static_cast<std::uint16_t>(next_ + i);
      const std::size_t back = static_cast<std::uint16_t>(seq - m);  // 1 = newest secondary
      if (back <= p.count && !p.entries[back - 1].empty()) store(m, p.entries[back - 1]);
    }
  }
  for (std::uint16_t i = 0; i < gap; ++i) {
    const auto m = static_cast<std::uint16_t>(next_ + i);
    if (have(m)) {
      ++stats_.recovered;
      emit(m);
    } else {
      ++stats_.lost;
    }
  }
  store(seq, p.primary);
  emit(seq);
  next_ = static_cast<std::uint16_t>(seq + 1);
  return out_.view();
}

bool UdptlDecoder::have(std::uint16_t seq) const {
  return history_.has(seq);
}

void UdptlDecoder::store(std::uint16_t seq, std::span<const std::uint8_t> data) {
  history_.put(seq, data);
}

bool UdptlDecoder::repair_from_fec(const Parsed& p, std::uint16_t missing) {
  const std::size_t entries = p.count;
  const std::size_t span = p.fec_span;
  if (entries == 0 || span == 0 || span * entries > kUdptlHistory) return false;
  for (std::size_t j = 0; j < entries; ++j) {
    // Parity j of datagram `seq` covers seq+j-span*entries, stepping by `entries`.
    const auto first = static_cast<std::uint16_t>(p.seq + j - span * entries);
    bool covers = false;
    bool others_present = true;
    for (std::size_t k = 0; k < span; ++k) {
      const auto c = static_cast<std::uint16_t>(first + k * entries);
      if (c == missing) {
        covers = true;
      } else if (!have(c)) {
        others_present = false;
      }
    }
    if (!covers || !others_present) continue;
    const auto parity = p.entries[j];
    if (parity.empty()) continue;
    std::memcpy(scratch_.data(), parity.data(), parity.size());
    bool consistent = true;
    for (std::size_t k = 0; k < span; ++k) {
      const auto c = static_cast<std::uint16_t>(first + k * entries);
      if (c == missing) continue;
      const auto s = history_.get(c);
      if (s.size() > parity.size()) consistent = false;
      for (std::size_t b = 0; b < std::min(s.size(), parity.size()); ++b) scratch_[b] ^= s[b];
    }
    if (!consistent) continue;
    // Parity is as long as the longest packet it covers; a shorter packet comes back
    // zero-padded, which is what every UDPTL implementation does.
    std::size_t len = parity.size();
    store(missing, std::span<const std::uint8_t>(scratch_.data(), len));
    return true;
  }
  return false;
}

void UdptlDecoder::emit(std::uint16_t seq) {
  out_.ifps[out_.count++] = UdptlIfp{seq, history_.get(seq)};
}

}  // namespace faxd::media
