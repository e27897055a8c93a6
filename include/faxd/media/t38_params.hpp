#pragma once
// T.38 session parameters as negotiated in SDP (m=image ... udptl t38). The SIP layer parses and
// prints them (sip/sdp); the media layer uses them to frame UDPTL and configure the terminal.
#include <cstdint>

namespace faxd::media {

enum class UdptlErrorCorrection { none, redundancy, fec };

struct T38Params {
  int version = 0;              // T38FaxVersion
  int max_bit_rate = 14400;     // T38MaxBitRate
  bool transferred_tcf = true;  // T38FaxRateManagement: transferredTCF (else localTCF)
  int max_buffer = 0;           // T38FaxMaxBuffer; 0 = not given
  int max_datagram = 0;         // T38FaxMaxDatagram; 0 = not given (assume 400)
  UdptlErrorCorrection error_correction = UdptlErrorCorrection::redundancy;  // T38FaxUdpEC
  bool fill_bit_removal = false;
  bool transcoding_mmr = false;
  bool transcoding_jbig = false;
};

// The largest UDPTL payload we may send to a peer that advertised `advertised` (0, absent or
// over 1400 mean 400, as real peers expect).
constexpr int effective_max_datagram(int advertised) {
  return (advertised <= 0 || advertised > 1400) ? 400 : advertised;
}

}  // namespace faxd::media
