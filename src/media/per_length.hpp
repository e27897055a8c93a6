#pragma once
// ASN.1 PER (aligned) length determinants as UDPTL uses them: one octet below 128, two octets
// `10xxxxxx xxxxxxxx` below 16384. Fragmented lengths (`11xxxxxx`) never occur in real UDPTL
// traffic and are refused. Internal to faxd_media.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace faxd::media::per {

// Bytes needed to encode `len` (1 or 2); lengths >= 16384 are not encodable.
constexpr std::size_t length_size(std::size_t len) {
  return len < 128 ? 1 : 2;
}

// Writes the determinant at `out[pos]`, advancing pos. The caller sized `out`.
inline void put_length(std::uint8_t* out, std::size_t& pos, std::size_t len) {
  if (len < 128) {
    out[pos++] = static_cast<std::uint8_t>(len);
  } else {
    out[pos++] = static_cast<std::uint8_t>(0x80 | (len >> 8));
    out[pos++] = static_cast<std::uint8_t>(len & 0xff);
  }
}

// Reads a determinant from `in` at pos; nullopt when truncated or fragmented.
inline std::optional<std::size_t> get_length(std::span<const std::uint8_t> in, std::size_t& pos) {
  if (pos >= in.size()) return std::nullopt;
  const std::uint8_t first = in[pos++];
  if ((first & 0x80) == 0) return first;
  if ((first & 0xc0) == 0x80) {
    if (pos >= in.size()) return std::nullopt;
    const std::size_t len = (static_cast<std::size_t>(first & 0x3f) << 8) | in[pos++];
    return len;
  }
  return std::nullopt;
}

// Reads an open type (length + bytes); nullopt when it runs past the end.
inline std::optional<std::span<const std::uint8_t>> get_open_type(std::span<const std::uint8_t> in,
                                                                  std::size_t& pos) {
  const auto len = get_length(in, pos);
  if (!len || *len > in.size() - pos) return std::nullopt;
  auto out = in.subspan(pos, *len);
  pos += *len;
  return out;
}

}  // namespace faxd::media::per
