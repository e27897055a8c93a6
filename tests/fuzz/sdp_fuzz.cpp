// libFuzzer target: arbitrary bytes as an SDP body from a peer (INVITE, re-INVITE or answer),
// through everything faxd does with one: parse, read the T.38 attributes, answer it as an offer
// (with and without T.38 allowed), read it as an answer, and print + re-parse what we produce.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "faxd/sip/offer_answer.hpp"
#include "faxd/sip/sdp.hpp"

int fuzz_sdp(const std::uint8_t* data, std::size_t size) {
  using namespace faxd::sip;
  const auto sdp = parse_sdp(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!sdp) return 0;
  for (std::size_t i = 0; i < sdp->media.size(); ++i) {
    (void)parse_t38_params(sdp->media[i]);
    (void)sdp->address_of(i);
  }
  LocalMedia local;
  local.address = "192.0.2.1";
  local.rtp_port = 20000;
  local.udptl_port = 20002;
  for (bool allow_t38 : {true, false}) {
    const auto answer = answer_offer(*sdp, local, allow_t38);
    // RFC 3264: the answer has as many m-lines as the offer.
    if (answer.sdp.media.size() != sdp->media.size()) __builtin_trap();
    // What we send must be something we can read back.
    if (!parse_sdp(print_sdp(answer.sdp))) __builtin_trap();
  }
  (void)read_answer(*sdp, local);
  (void)same_media(*sdp, *sdp);
  (void)print_sdp(*sdp);
  return 0;
}

#ifndef FAXD_FUZZ_SMOKE
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz_sdp(data, size);
}
#endif
