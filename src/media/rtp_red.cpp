#include "faxd/media/rtp_red.hpp"

#include <cstring>

namespace faxd::media {

RedPayload parse_red(std::span<const std::uint8_t> payload) {
  RedPayload out;
  std::size_t pos = 0;
  std::size_t data_bytes = 0;
  for (;;) {
    if (pos >= payload.size() || out.count == kMaxRedBlocks) return {};
    const std::uint8_t first = payload[pos];
    RedBlock& b = out.blocks[static_cast<std::size_t>(out.count++)];
    b.payload_type = first & 0x7f;
    if (!(first & 0x80)) {
      ++pos;  // the primary's header: its data is whatever follows the redundant blocks
      break;
    }
    if (pos + 4 > payload.size()) return {};
    const std::uint32_t rest = (std::uint32_t{payload[pos + 1]} << 16) |
                               (std::uint32_t{payload[pos + 2]} << 8) | payload[pos + 3];
    b.timestamp_offset = rest >> 10;
    const std::size_t len = rest & 0x3ff;
    b.data = std::span<const std::uint8_t>(payload.data(), len);  // offset fixed up below
    data_bytes += len;
    pos += 4;
  }
  if (pos + data_bytes > payload.size()) return {};
  std::size_t at = pos;
  for (int i = 0; i + 1 < out.count; ++i) {
    RedBlock& b = out.blocks[static_cast<std::size_t>(i)];
    b.data = payload.subspan(at, b.data.size());
    at += b.data.size();
  }
  out.blocks[static_cast<std::size_t>(out.count - 1)].data = payload.subspan(at);
  return out;
}

std::size_t write_red(std::span<const RedBlock> redundant, int primary_type,
                      std::span<const std::uint8_t> primary, std::span<std::uint8_t> out) {
  if (redundant.size() + 1 > static_cast<std::size_t>(kMaxRedBlocks)) return 0;
  std::size_t need = redundant.size() * 4 + 1 + primary.size();
  for (const RedBlock& b : redundant) {
    if (b.data.size() > 0x3ff || b.timestamp_offset > 0x3fff) return 0;
    need += b.data.size();
  }
  if (need > out.size()) return 0;
  std::size_t pos = 0;
  for (const RedBlock& b : redundant) {
    const std::uint32_t rest =
        (b.timestamp_offset << 10) | static_cast<std::uint32_t>(b.data.size());
    out[pos++] = static_cast<std::uint8_t>(0x80 | (b.payload_type & 0x7f));
    out[pos++] = static_cast<std::uint8_t>(rest >> 16);
    out[pos++] = static_cast<std::uint8_t>(rest >> 8);
    out[pos++] = static_cast<std::uint8_t>(rest);
  }
  out[pos++] = static_cast<std::uint8_t>(primary_type & 0x7f);
  for (const RedBlock& b : redundant) {
    if (!b.data.empty()) std::memcpy(out.data() + pos, b.data.data(), b.data.size());
    pos += b.data.size();
  }
  if (!primary.empty()) std::memcpy(out.data() + pos, primary.data(), primary.size());
  return pos + primary.size();
}

}  // namespace faxd::media
