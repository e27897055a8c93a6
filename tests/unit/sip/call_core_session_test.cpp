// The call state machine mid-call: re-INVITEs from either side, audio held around our T.38
// offer, and the INVITE template a session refresh resends.
#include "call_core_support.hpp"

namespace faxd::sip {
namespace {

using namespace faxd::sip::test;

TEST_F(CallCoreTest, OfferBackToAudioDuringTheT38FaxIsRefusedWith488) {
  CallCore c(settings(true), local());
  c.start_outbound(at(0));
  c.on_invite_response(200, "OK", kAudioOffer, false, at(1));
  ASSERT_TRUE(find<action::StartT38>(c.on_peer_reinvite(kBareImage, at(3))));
  // The peer (or a stale session refresh) offers audio again mid-fax: 488, T.38 goes on.
  Actions a = c.on_peer_reinvite(kAudioOffer, at(61));
  auto resp = find<action::RespondInvite>(a);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 488);
  EXPECT_FALSE(find<action::StartAudio>(a));
  EXPECT_EQ(c.transport(), fax::Transport::t38);
  EXPECT_EQ(c.state(), CallCore::State::active);
  // A refresh with the T.38 session as it is still gets 200.
  auto again = find<action::RespondInvite>(c.on_peer_reinvite(kBareImage, at(62)));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST_F(CallCoreTest, AudioIsHeldFromOurT38ReinviteUntilItsAnswer) {
  CallCore c(settings(true), local());
  c.start_outbound(at(0));
  c.on_invite_response(200, "OK", kAudioOffer, false, at(1));
  Actions r = c.tick(at(3.1));
  auto hold = find<action::HoldAudio>(r);
  ASSERT_TRUE(hold);
  EXPECT_TRUE(hold->hold);
  // The hold comes before the INVITE leaves.
  ASSERT_TRUE(std::holds_alternative<action::HoldAudio>(r[r.size() - 2]));
  ASSERT_TRUE(std::holds_alternative<action::SendInvite>(r.back()));
  Actions ok = c.on_invite_response(200, "OK", kT38Answer176, false, at(3.3));
  EXPECT_TRUE(find<action::StartT38>(ok));
  EXPECT_FALSE(find<action::HoldAudio>(ok)) << "T.38 replaces audio; nothing to resume";
  // Refused or in glare: audio resumes at once.
  for (int status : {488, 491}) {
    CallCore d(settings(true), local());
    d.start_outbound(at(0));
    d.on_invite_response(200, "OK", kAudioOffer, false, at(1));
    ASSERT_TRUE(find<action::HoldAudio>(d.tick(at(3.1))));
    auto resume = find<action::HoldAudio>(d.on_invite_response(status, "No", "", false, at(3.2)));
    ASSERT_TRUE(resume) << status;
    EXPECT_FALSE(resume->hold) << status;
  }
}

// The session refresh that killed faxes: we are the refresher (the proxy's Session-Expires with
// refresher=uac on our INVITE), the peer switched to T.38 by its re-INVITE, and the stack's
// refresh would resend our first INVITE's audio offer.
TEST_F(CallCoreTest, StaleRefreshTemplateIsReplacedByTheSdpInUseWhenThePeerHasNoUpdate) {
  CallCore c(settings(true), local());
  c.start_outbound(at(0));
  c.on_invite_response(200, "OK", kAudioOffer, false, at(1));
  c.on_session_timer(false, at(1));
  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(2)))) << "template = the audio in use";
  Actions sw = c.on_peer_reinvite(kBareImage, at(3));
  auto answer = find<action::RespondInvite>(sw);
  ASSERT_TRUE(answer);
  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(3.5)))) << "the ACK goes first";
  c.on_ack("", at(3.6));
  Actions r = c.tick(at(4.1));
  auto sync = find<action::SendInvite>(r);
  ASSERT_TRUE(sync);
  EXPECT_TRUE(sync->reinvite);
  EXPECT_FALSE(find<action::HoldAudio>(r));
  // The SDP in use, unchanged: image stream, same o= version as our answer.
  EXPECT_EQ(sync->sdp, answer->sdp);
  Actions ok = c.on_invite_response(200, "OK", kBareImage, false, at(4.2));
  EXPECT_FALSE(find<action::StartT38>(ok));
  EXPECT_FALSE(find<action::StartAudio>(ok));
  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(60)))) << "once is enough";
  EXPECT_EQ(c.transport(), fax::Transport::t38);
}

TEST_F(CallCoreTest, NoTemplateSyncWhenThePeerAllowsUpdateOrNoSessionTimer) {
  for (bool timer : {false, true}) {
    CallCore c(settings(true), local());
    c.start_outbound(at(0));
    c.on_invite_response(200, "OK", kAudioOffer, false, at(1));
    if (timer) c.on_session_timer(true, at(1));  // refreshes are bodiless UPDATEs
    c.on_peer_reinvite(kBareImage, at(3));
    EXPECT_FALSE(find<action::SendInvite>(c.tick(at(10)))) << timer;
  }
}

TEST_F(CallCoreTest, TemplateSyncAfterOurRefusedT38Reinvite) {
  CallCore c(settings(false), local());
  c.start_inbound(kAudioOffer, at(0));
  c.on_ack("", at(0.1));
  c.on_session_timer(false, at(0));
  // Inbound: the stack has no INVITE of ours at all; our own T.38 re-INVITE will be one.
  ASSERT_TRUE(find<action::SendInvite>(c.tick(at(2))));
  c.on_invite_response(488, "Not Acceptable Here", "", false, at(2.1));
  // Refused: the stack's template is now that refused T.38 offer; we resend the audio in use.
  auto sync = find<action::SendInvite>(c.tick(at(3.2)));
  ASSERT_TRUE(sync);
  EXPECT_NE(sync->sdp.find("m=audio 20000"), std::string::npos);
  // Even refused (glare), that request is now the template and carries the SDP in use.
  c.on_invite_response(491, "Request Pending", "", false, at(3.3));
  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(6))));
  EXPECT_EQ(c.transport(), fax::Transport::g711);
  EXPECT_EQ(c.state(), CallCore::State::active);
}

}  // namespace
}  // namespace faxd::sip
