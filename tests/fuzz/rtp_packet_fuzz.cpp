// libFuzzer target: arbitrary bytes as an RTP packet.
#include <cstddef>
#include <cstdint>
#include <span>

#include "faxd/media/rtp_packet.hpp"

int fuzz_rtp_packet(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  if (const auto p = faxd::media::parse_rtp(in)) {
    if (p->payload.data() < in.data() || p->payload.data() + p->payload.size() > in.data() + size) {
      __builtin_trap();
    }
  }
  return 0;
}

#ifndef FAXD_FUZZ_SMOKE
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz_rtp_packet(data, size);
}
#endif
