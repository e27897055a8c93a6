// What the CallCore tests share: the action finders, SDP bodies, settings and a fixture whose
// clock the tests move by hand.
#pragma once

#include <gtest/gtest.h>

#include "faxd/sip/call_core.hpp"

namespace faxd::sip::test {

using Time = CallCore::Time;

// A copy: the actions are often a temporary.
template <class T>
inline std::optional<T> find(const Actions& actions) {
  for (const auto& a : actions) {
    if (auto p = std::get_if<T>(&a)) return *p;
  }
  return std::nullopt;
}

template <class T>
int count(const Actions& actions) {
  int n = 0;
  for (const auto& a : actions) n += std::holds_alternative<T>(a) ? 1 : 0;
  return n;
}

inline const std::string kAudioOffer =
    "v=0\r\no=carrier 100 1 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 8 0\r\na=rtpmap:8 PCMA/8000\r\n";
inline const std::string kT38Answer176 =
    "v=0\r\no=carrier 100 2 IN IP4 10.1.1.1\r\ns=-\r\nc=IN IP4 10.1.1.1\r\nt=0 0\r\n"
    "m=image 30002 udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n"
    "a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxDatagram:176\r\n"
    "a=T38FaxUdpEC:t38UDPRedundancy\r\n";
inline const std::string kBareImage =
    "v=0\r\no=- 191 2 IN IP4 10.1.1.1\r\ns=IMSS\r\nc=IN IP4 10.1.1.1\r\nt=0 0\r\n"
    "m=image 16756 udptl t38\r\n";

inline LocalMedia local() {
  LocalMedia l;
  l.address = "127.0.0.1";
  l.rtp_port = 20000;
  l.udptl_port = 20002;
  l.t38.max_datagram = 400;
  return l;
}

inline CallSettings settings(bool outbound, bool t38 = true) {
  CallSettings s;
  s.outbound = outbound;
  s.allow_t38 = t38;
  s.have_credentials = true;
  s.timers.reinvite_after = std::chrono::seconds(2);
  s.timers.caller_reinvite_delay = std::chrono::seconds(0);  // see CallerLetsTheAnswererReinvite
  s.seed = 42;
  return s;
}

inline fax::FaxResult ok_result(int pages) {
  fax::FaxResult r;
  r.ok = true;
  r.pages = pages;
  r.message = "OK";
  r.transport = fax::Transport::t38;
  return r;
}

class CallCoreTest : public ::testing::Test {
 protected:
  Time t0{std::chrono::seconds(1000)};
  Time at(double seconds) {
    return t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(seconds));
  }
};

}  // namespace faxd::sip::test
