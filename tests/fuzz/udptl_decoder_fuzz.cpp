// libFuzzer target: arbitrary datagrams into one UDPTL decoder (state carried between inputs by
// splitting each input into datagrams at 0xff 0xfe markers), plus a round trip through the
// encoder of whatever IFPs come out.
#include <cstddef>
#include <cstdint>
#include <span>

#include "faxd/media/udptl_decoder.hpp"
#include "faxd/media/udptl_encoder.hpp"

int fuzz_udptl_decoder(const std::uint8_t* data, std::size_t size) {
  using namespace faxd::media;
  static UdptlDecoder* persistent = new UdptlDecoder();  // state across inputs, like a live call
  UdptlDecoder fresh;
  UdptlEncoder enc(UdptlErrorCorrection::redundancy, 3, 176);
  std::span<const std::uint8_t> in(data, size);
  std::size_t start = 0;
  for (std::size_t i = 0; i <= in.size(); ++i) {
    const bool cut = i + 1 < in.size() && in[i] == 0xff && in[i + 1] == 0xfe;
    if (!cut && i != in.size()) continue;
    const auto datagram = in.subspan(start, i - start);
    (void)persistent->decode(datagram);
    if (auto r = fresh.decode(datagram)) {
      for (const auto& ifp : *r) {
        if (ifp.data.empty() || ifp.data.size() > kUdptlMaxIfp) __builtin_trap();
        (void)enc.encode(ifp.data);
      }
    }
    start = i + 2;
    if (cut) ++i;
  }
  return 0;
}

#ifndef FAXD_FUZZ_SMOKE
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz_udptl_decoder(data, size);
}
#endif
