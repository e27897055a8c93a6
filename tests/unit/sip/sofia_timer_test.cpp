// sofia-sip's transaction timers under a burst, on simulated time (see src/sip/sofia_yield.cpp).
//
// The stack answers an INVITE with 200 and waits for the ACK (Timer H, 32 s), while it is also
// retransmitting six requests to a peer that never answers, and packets keep arriving. With
// sofia's own su_root_yield() the agent timer handles a packet in the middle of its run and then
// judges every server transaction against a time of 0: while the stack's millisecond clock is in
// its upper half the 200 times out at the first retransmission, half a second after the answer.
// The clock is sofia's own test hook (_su_time, exported by libsofia-sip-ua), so the test puts
// it in that half and moves it forward itself: nothing here waits for real time.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

// What the stack told the test (the magic pointer of every nta callback).
struct SofiaProbe {
  int invites = 0;
  int acked = 0;
  int timed_out = 0;  // the 200's transaction ended without an ACK (Timer H)
};
#define NTA_AGENT_MAGIC_T struct SofiaProbe
#define NTA_LEG_MAGIC_T struct SofiaProbe
#define NTA_INCOMING_MAGIC_T struct SofiaProbe
#define NTA_OUTGOING_MAGIC_T struct SofiaProbe
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#include "sofia_yield.hpp"

extern "C" {
// sofia's hook "for testing timing and timers" (su_time0.c): called on every su_time().
extern void (*_su_time)(su_time_t* tv);
}

namespace {

// Simulated time in microseconds since the test's epoch, which sits in the upper half of
// sofia's 32-bit millisecond clock (2^31 ms + about 16 minutes).
std::int64_t sim_us = 0;
constexpr std::uint64_t kEpochMs = (1ULL << 31) + 1'000'000ULL;

void simulated_time(su_time_t* tv) {
  // su_time_ms() is NTP seconds * 1000 + ms, modulo 2^32: pick seconds so that it starts at
  // kEpochMs (modulo 2^32) whatever the NTP era.
  const std::uint64_t era = (std::uint64_t(tv->tv_sec) * 1000) / (1ULL << 32) * (1ULL << 32);
  const std::uint64_t ms = era + kEpochMs + std::uint64_t(sim_us / 1000);
  tv->tv_sec = static_cast<unsigned long>(ms / 1000);
  tv->tv_usec = static_cast<unsigned long>((ms % 1000) * 1000 + sim_us % 1000);
}

using Probe = SofiaProbe;

int on_irq_event(Probe* p, nta_incoming_t*, sip_t const* sip) {
  if (sip == nullptr)
    ++p->timed_out;
  else if (sip->sip_request && sip->sip_request->rq_method == sip_method_ack)
    ++p->acked;
  return 0;
}

int on_request(Probe* p, nta_leg_t*, nta_incoming_t* irq, sip_t const* sip) {
  if (sip->sip_request->rq_method != sip_method_invite) return 200;
  ++p->invites;
  nta_incoming_bind(irq, on_irq_event, p);
  nta_incoming_treply(irq, SIP_200_OK, SIPTAG_CONTACT_STR("<sip:uas@127.0.0.1>"), TAG_END());
  return 0;
}

int on_response(Probe*, nta_outgoing_t*, sip_t const*) {
  return 0;
}

int udp_socket(sockaddr_in* bound) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  if (bound) *bound = a;
  return fd;
}

class SofiaTimerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_us = 0;
    real_time_ = _su_time;
    _su_time = simulated_time;
    ASSERT_EQ(su_init(), 0);
    root_ = su_root_create(nullptr);
    ASSERT_NE(root_, nullptr);
    agent_ = nta_agent_create(root_, URL_STRING_MAKE("sip:127.0.0.1:*"), nullptr, nullptr,
                              NTATAG_UA(1), TAG_END());
    ASSERT_NE(agent_, nullptr);
    uas_ = nta_leg_tcreate(agent_, on_request, &probe_, NTATAG_NO_DIALOG(1), TAG_END());
    ASSERT_NE(uas_, nullptr);
    const sip_contact_t* m = nta_agent_contact(agent_);
    ASSERT_NE(m, nullptr);
    agent_port_ = std::stoi(m->m_url->url_port);
    caller_ = udp_socket(&caller_addr_);  // never read either: replies just queue there
    hole_ = udp_socket(&hole_addr_);      // bound, never read: requests to it are never answered
  }

  void TearDown() override {
    for (nta_leg_t* leg : legs_)
      if (leg) nta_leg_destroy(leg);
    if (uas_) nta_leg_destroy(uas_);
    if (agent_) nta_agent_destroy(agent_);
    if (root_) su_root_destroy(root_);
    su_deinit();
    _su_time = real_time_;
    ::close(caller_);
    ::close(hole_);
  }

  // A datagram to the stack from the caller's socket.
  void send_to_stack(const std::string& text) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(std::uint16_t(agent_port_));
    ASSERT_EQ(
        ::sendto(caller_, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
        ssize_t(text.size()));
  }

  std::string request(const std::string& method, const std::string& call_id) const {
    const std::string uri = "sip:uas@127.0.0.1:" + std::to_string(agent_port_);
    const std::string me = "127.0.0.1:" + std::to_string(ntohs(caller_addr_.sin_port));
    return method + " " + uri + " SIP/2.0\r\n" + "Via: SIP/2.0/UDP " + me + ";branch=z9hG4bK-" +
           call_id + "\r\n" + "Max-Forwards: 70\r\nFrom: <sip:caller@127.0.0.1>;tag=c1\r\nTo: <" +
           uri + ">\r\n" + "Call-ID: " + call_id + "\r\nCSeq: 1 " + method + "\r\n" +
           "Contact: <sip:caller@" + me + ">\r\nContent-Length: 0\r\n\r\n";
  }

  // Requests from the stack to the hole, retransmitted on every Timer E.
  void send_unanswered_requests(int n) {
    const std::string uri = "sip:hole@127.0.0.1:" + std::to_string(ntohs(hole_addr_.sin_port));
    for (int i = 0; i < n; ++i) {
      nta_leg_t* leg =
          nta_leg_tcreate(agent_, nullptr, nullptr, SIPTAG_FROM_STR("<sip:uas@127.0.0.1>;tag=u1"),
                          SIPTAG_TO_STR(("<" + uri + ">").c_str()), TAG_END());
      ASSERT_NE(leg, nullptr);
      legs_[i] = leg;
      ASSERT_NE(nta_outgoing_tcreate(leg, on_response, nullptr, nullptr, SIP_METHOD_OPTIONS,
                                     URL_STRING_MAKE(uri.c_str()), TAG_END()),
                nullptr);
    }
  }

  // Moves simulated time on in 50 ms steps, with a packet waiting for the stack at each one.
  void run_for_ms(int ms) {
    for (int t = 0; t < ms; t += 50) {
      sim_us += 50'000;
      send_to_stack(request("OPTIONS", "busy-" + std::to_string(sim_us)));
      for (int i = 0; i < 20; ++i) su_root_step(root_, 0);
    }
  }

  void (*real_time_)(su_time_t*) = nullptr;  // sofia's own hook, put back after the test
  Probe probe_;
  su_root_t* root_ = nullptr;
  nta_agent_t* agent_ = nullptr;
  nta_leg_t* uas_ = nullptr;
  nta_leg_t* legs_[8] = {};
  int agent_port_ = 0;
  int caller_ = -1;
  int hole_ = -1;
  sockaddr_in hole_addr_{};
  sockaddr_in caller_addr_{};
};

TEST_F(SofiaTimerTest, FaxdReplacesTheStacksYield) {
  EXPECT_TRUE(faxd::sip::detail::sofia_yield_overridden());
}

TEST_F(SofiaTimerTest, AnsweredCallWaitsTheWholeTimerHForItsAckDuringRetransmissions) {
  send_to_stack(request("INVITE", "fax-call"));
  for (int i = 0; i < 20 && probe_.invites == 0; ++i) su_root_step(root_, 0);
  ASSERT_EQ(probe_.invites, 1);

  send_unanswered_requests(6);  // the fifth retransmission in one timer run yields
  run_for_ms(10'000);           // Timer E fires at 0.5, 1.5, 3.5, 7.5 s: each time for all six
  EXPECT_EQ(probe_.timed_out, 0) << "the 200 OK timed out long before Timer H (32 s)";

  run_for_ms(23'000);  // 33 s after the answer: now Timer H is due
  EXPECT_EQ(probe_.timed_out, 1) << "Timer H never fired: the test did not run the stack's timers";
  EXPECT_EQ(probe_.acked, 0);
}

}  // namespace
