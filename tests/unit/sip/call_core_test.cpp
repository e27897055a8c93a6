// The call state machine: events in, actions out, time by hand.
#include "call_core_support.hpp"

namespace faxd::sip {
namespace {

using namespace faxd::sip::test;

TEST_F(CallCoreTest, InboundAudioThenOurT38ReinviteThenByeAfterPhaseE) {
  CallCore c(settings(false), local());
  Actions a = c.start_inbound(kAudioOffer, at(0));
  auto resp = find<action::RespondInvite>(a);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 200);
  EXPECT_NE(resp->sdp.find("m=audio 20000 RTP/AVP 8\r\n"), std::string::npos);
  auto audio = find<action::StartAudio>(a);
  ASSERT_TRUE(audio);
  EXPECT_EQ(audio->codec, fax::AudioCodec::pcma);
  EXPECT_EQ(audio->remote.port, 30000);
  EXPECT_EQ(c.transport(), fax::Transport::g711);
  EXPECT_TRUE(c.on_ack("", at(0.1)).empty());

  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(1.9))));
  Actions r = c.tick(at(2.0));
  auto inv = find<action::SendInvite>(r);
  ASSERT_TRUE(inv);
  EXPECT_TRUE(inv->reinvite);
  EXPECT_NE(inv->sdp.find("m=image 20002 udptl t38"), std::string::npos);
  EXPECT_NE(inv->sdp.find("a=T38FaxMaxDatagram:400"), std::string::npos);
  EXPECT_NE(inv->sdp.find("o=faxd "), std::string::npos);
  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(5))));  // only once

  Actions ok = c.on_invite_response(200, "OK", kT38Answer176, false, at(2.1));
  auto t38 = find<action::StartT38>(ok);
  ASSERT_TRUE(t38);
  EXPECT_EQ(t38->remote.port, 30002);
  EXPECT_EQ(t38->peer.max_datagram, 176);
  EXPECT_EQ(c.transport(), fax::Transport::t38);

  Actions done = c.on_fax_done(ok_result(3), at(60));
  EXPECT_EQ(count<action::SendBye>(done), 1);
  auto fin = find<action::Finish>(done);
  ASSERT_TRUE(fin);
  EXPECT_TRUE(fin->outcome.ok);
  EXPECT_EQ(fin->outcome.sip_status, 200);
  EXPECT_EQ(fin->outcome.transport, fax::Transport::t38);
  ASSERT_TRUE(fin->outcome.fax);
  EXPECT_EQ(fin->outcome.fax->pages, 3);
  EXPECT_TRUE(c.finished());
  EXPECT_TRUE(c.on_peer_bye(at(61)).empty());
  EXPECT_TRUE(c.tick(at(100)).empty());
}

// RFC 3261 14.1: no INVITE of ours while the peer's is not ACKed. Under load the caller takes
// seconds to ACK; a re-INVITE sent before it meets the caller's INVITE still pending (491).
TEST_F(CallCoreTest, OurT38ReinviteWaitsForTheAckOfOurAnswer) {
  CallCore c(settings(false), local());
  c.start_inbound(kAudioOffer, at(0));
  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(2.0))));
  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(4.5)))) << "no ACK yet";
  EXPECT_TRUE(c.on_ack("", at(4.6)).empty());
  auto inv = find<action::SendInvite>(c.tick(at(4.7)));
  ASSERT_TRUE(inv) << "the re-INVITE was due: it goes at the first tick after the ACK";
  EXPECT_NE(inv->sdp.find("m=image 20002 udptl t38"), std::string::npos);

  // The same after our 200 to the peer's re-INVITE (here a refresh of the audio in use).
  CallCore d(settings(false), local());
  d.start_inbound(kAudioOffer, at(0));
  d.on_ack("", at(0.1));
  ASSERT_TRUE(find<action::RespondInvite>(d.on_peer_reinvite(kAudioOffer, at(1.9))));
  EXPECT_FALSE(find<action::SendInvite>(d.tick(at(2.5))));
  d.on_ack("", at(2.6));
  EXPECT_TRUE(find<action::SendInvite>(d.tick(at(2.7))));
}

TEST_F(CallCoreTest, PeersReinviteFirstCancelsOurs) {
  CallCore c(settings(false), local());
  c.start_inbound(kAudioOffer, at(0));
  Actions a = c.on_peer_reinvite(kBareImage, at(1));
  auto resp = find<action::RespondInvite>(a);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 200);
  EXPECT_NE(resp->sdp.find("m=image 20002 udptl t38"), std::string::npos);
  EXPECT_NE(resp->sdp.find("a=T38FaxRateManagement:transferredTCF"), std::string::npos);
  EXPECT_NE(resp->sdp.find("o=faxd "), std::string::npos);
  auto t38 = find<action::StartT38>(a);
  ASSERT_TRUE(t38);
  EXPECT_EQ(t38->remote.port, 16756);
  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(10))));
}

TEST_F(CallCoreTest, OurReinviteRefusedWith488StaysOnAudio) {
  CallCore c(settings(true), local());
  c.start_outbound(at(0));
  c.on_invite_response(180, "Ringing", "", false, at(0.5));
  Actions ans = c.on_invite_response(200, "OK", kAudioOffer, false, at(1));
  ASSERT_TRUE(find<action::StartAudio>(ans));
  Actions r = c.tick(at(3.1));
  ASSERT_TRUE(find<action::SendInvite>(r));
  Actions refused = c.on_invite_response(488, "Not Acceptable Here", "", false, at(3.2));
  EXPECT_FALSE(find<action::StartT38>(refused));
  EXPECT_FALSE(find<action::Finish>(refused));
  EXPECT_FALSE(find<action::SendBye>(refused));
  EXPECT_EQ(c.transport(), fax::Transport::g711);
  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(30))));
  // A refresh afterwards is answered with the audio session, same version as before the offer.
  Actions refresh = c.on_peer_reinvite(kAudioOffer, at(40));
  auto resp = find<action::RespondInvite>(refresh);
  ASSERT_TRUE(resp);
  EXPECT_NE(resp->sdp.find("m=audio 20000"), std::string::npos);
  EXPECT_NE(resp->sdp.find(" 1 IN IP4"), std::string::npos);
  EXPECT_FALSE(find<action::StartAudio>(refresh));

  fax::FaxResult r2 = ok_result(1);
  r2.transport = fax::Transport::g711;
  auto fin = find<action::Finish>(c.on_fax_done(r2, at(90)));
  ASSERT_TRUE(fin);
  EXPECT_TRUE(fin->outcome.ok);
  EXPECT_EQ(fin->outcome.transport, fax::Transport::g711);
}

TEST_F(CallCoreTest, RefusalsThatKeepAudio) {
  for (int status : {415, 606}) {
    CallCore c(settings(true), local());
    c.start_outbound(at(0));
    c.on_invite_response(200, "OK", kAudioOffer, false, at(1));
    ASSERT_TRUE(find<action::SendInvite>(c.tick(at(3.5))));
    Actions r = c.on_invite_response(status, "No", "", false, at(4));
    EXPECT_FALSE(find<action::Finish>(r)) << status;
    EXPECT_EQ(c.state(), CallCore::State::active) << status;
  }
}

TEST_F(CallCoreTest, GlareRetriesAfterRfcDelay) {
  CallCore c(settings(true), local());
  c.start_outbound(at(0));
  c.on_invite_response(200, "OK", kAudioOffer, false, at(0));
  ASSERT_TRUE(find<action::SendInvite>(c.tick(at(2))));
  c.on_invite_response(491, "Request Pending", "", false, at(2));
  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(2 + 2.09))));  // owner waits >= 2.1 s
  Actions again = c.tick(at(2 + 4.0));
  auto inv = find<action::SendInvite>(again);
  ASSERT_TRUE(inv);
  EXPECT_TRUE(inv->reinvite);
}

TEST_F(CallCoreTest, CallerLetsTheAnswererReinviteFirstInsteadOfMeetingItInGlare) {
  CallSettings out = settings(true);
  out.timers.caller_reinvite_delay = std::chrono::seconds(3);
  CallCore caller(out, local());
  caller.start_outbound(at(0));
  caller.on_invite_response(200, "OK", kAudioOffer, false, at(0));
  CallCore callee(settings(false), local());
  callee.start_inbound(kAudioOffer, at(0));
  callee.on_ack("", at(0));
  EXPECT_TRUE(find<action::SendInvite>(callee.tick(at(2)))) << "the answering side asks first";
  EXPECT_FALSE(find<action::SendInvite>(caller.tick(at(2)))) << "no crossing re-INVITEs";
  Actions a = caller.on_peer_reinvite(kBareImage, at(2.1));
  EXPECT_TRUE(find<action::StartT38>(a));
  EXPECT_FALSE(find<action::SendInvite>(caller.tick(at(10)))) << "already on T.38";
  // A peer that never re-INVITEs still gets ours, later.
  CallCore lone(out, local());
  lone.start_outbound(at(0));
  lone.on_invite_response(200, "OK", kAudioOffer, false, at(0));
  EXPECT_FALSE(find<action::SendInvite>(lone.tick(at(4.9))));
  EXPECT_TRUE(find<action::SendInvite>(lone.tick(at(5))));
}

TEST_F(CallCoreTest, DirectT38OfferIsAnsweredAsIs) {
  CallCore c(settings(false), local());
  Actions a = c.start_inbound(kT38Answer176, at(0));
  ASSERT_TRUE(find<action::StartT38>(a));
  EXPECT_FALSE(find<action::StartAudio>(a));
  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(10))));
}

TEST_F(CallCoreTest, T38DisabledRefusesPeersReinviteAndSendsNone) {
  CallCore c(settings(false, false), local());
  c.start_inbound(kAudioOffer, at(0));
  EXPECT_FALSE(find<action::SendInvite>(c.tick(at(10))));
  Actions a = c.on_peer_reinvite(kBareImage, at(11));
  auto resp = find<action::RespondInvite>(a);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 488);
  EXPECT_FALSE(find<action::StartT38>(a));
  EXPECT_EQ(c.state(), CallCore::State::active);
}

TEST_F(CallCoreTest, BusyCarrier) {
  CallCore c(settings(true), local());
  Actions inv = c.start_outbound(at(0));
  auto send = find<action::SendInvite>(inv);
  ASSERT_TRUE(send);
  EXPECT_FALSE(send->reinvite);
  EXPECT_NE(send->sdp.find("m=audio 20000 RTP/AVP 0 8"), std::string::npos);
  Actions a = c.on_invite_response(486, "Busy Here", "", false, at(1));
  auto fin = find<action::Finish>(a);
  ASSERT_TRUE(fin);
  EXPECT_FALSE(fin->outcome.ok);
  EXPECT_EQ(fin->outcome.failure, FailureCode::busy);
  EXPECT_EQ(fin->outcome.sip_status, 486);
  EXPECT_FALSE(fin->outcome.fax);
  EXPECT_EQ(fin->outcome.message, "486 Busy Here");
  EXPECT_TRUE(find<action::HangupMedia>(a));
}

TEST_F(CallCoreTest, DigestChallengeAnsweredOnce) {
  CallCore c(settings(true), local());
  c.start_outbound(at(0));
  EXPECT_TRUE(
      find<action::Authenticate>(c.on_invite_response(401, "Unauthorized", "", false, at(0.1))));
  Actions again = c.on_invite_response(401, "Unauthorized", "", false, at(0.2));
  auto fin = find<action::Finish>(again);
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->outcome.failure, FailureCode::rejected);
}

TEST_F(CallCoreTest, NoCredentialsMeansRejected) {
  CallSettings s = settings(true);
  s.have_credentials = false;
  CallCore c(s, local());
  c.start_outbound(at(0));
  auto fin = find<action::Finish>(c.on_invite_response(407, "Proxy Auth", "", false, at(1)));
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->outcome.failure, FailureCode::rejected);
}

TEST_F(CallCoreTest, RingTimeoutCancelsAsNoAnswer) {
  CallSettings s = settings(true);
  s.timers.ring_timeout = std::chrono::seconds(30);
  CallCore c(s, local());
  c.start_outbound(at(0));
  auto ring = find<action::Report>(c.on_invite_response(180, "Ringing", "", false, at(1)));
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->progress.kind, CallProgress::Kind::ringing);
  EXPECT_FALSE(find<action::SendCancel>(c.tick(at(29))));
  EXPECT_TRUE(find<action::SendCancel>(c.tick(at(30))));
  auto fin =
      find<action::Finish>(c.on_invite_response(487, "Request Terminated", "", false, at(30.1)));
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->outcome.failure, FailureCode::no_answer);
}

TEST_F(CallCoreTest, UserCancelWhileRinging) {
  CallCore c(settings(true), local());
  c.start_outbound(at(0));
  c.on_invite_response(180, "Ringing", "", false, at(1));
  EXPECT_TRUE(find<action::SendCancel>(c.cancel(at(2))));
  auto fin =
      find<action::Finish>(c.on_invite_response(487, "Request Terminated", "", false, at(2.1)));
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->outcome.failure, FailureCode::canceled);
}

TEST_F(CallCoreTest, AnswerRacingOurCancelIsHungUp) {
  CallCore c(settings(true), local());
  c.start_outbound(at(0));
  c.on_invite_response(180, "Ringing", "", false, at(1));
  c.cancel(at(2));
  Actions a = c.on_invite_response(200, "OK", kAudioOffer, false, at(2.1));
  EXPECT_TRUE(find<action::SendBye>(a));
  EXPECT_FALSE(find<action::StartAudio>(a));
  auto fin = find<action::Finish>(a);
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->outcome.failure, FailureCode::canceled);
}

TEST_F(CallCoreTest, CancelNeverAnsweredStillFinishes) {
  CallCore c(settings(true), local());
  c.start_outbound(at(0));
  c.cancel(at(1));
  EXPECT_FALSE(find<action::Finish>(c.tick(at(10))));
  auto fin = find<action::Finish>(c.tick(at(17)));
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->outcome.failure, FailureCode::canceled);
}

TEST_F(CallCoreTest, FailureMappingOfStatuses) {
  struct Case {
    int status;
    bool local;
    FailureCode want;
  };
  for (Case k : {Case{486, false, FailureCode::busy}, Case{600, false, FailureCode::busy},
                 Case{408, false, FailureCode::no_answer}, Case{480, false, FailureCode::no_answer},
                 Case{403, false, FailureCode::rejected}, Case{603, false, FailureCode::rejected},
                 Case{404, false, FailureCode::rejected}, Case{500, false, FailureCode::rejected},
                 Case{503, false, FailureCode::carrier_unreachable},
                 Case{408, true, FailureCode::carrier_unreachable},
                 Case{503, true, FailureCode::carrier_unreachable}}) {
    CallCore c(settings(true), local());
    c.start_outbound(at(0));
    c.on_invite_response(100, "Trying", "", false, at(0.1));
    auto fin = find<action::Finish>(c.on_invite_response(k.status, "x", "", k.local, at(1)));
    ASSERT_TRUE(fin) << k.status;
    EXPECT_EQ(fin->outcome.failure, k.want) << k.status << " local=" << k.local;
  }
}

TEST_F(CallCoreTest, TimeoutWithoutAnyResponseIsCarrierUnreachable) {
  CallCore c(settings(true), local());
  c.start_outbound(at(0));
  auto fin = find<action::Finish>(c.on_invite_response(408, "Request Timeout", "", false, at(32)));
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->outcome.failure, FailureCode::carrier_unreachable);
}

TEST_F(CallCoreTest, RefreshWithoutMediaChangeDoesNotTouchMedia) {
  CallCore c(settings(false), local());
  Actions first = c.start_inbound(kAudioOffer, at(0));
  const std::string answer = find<action::RespondInvite>(first)->sdp;
  c.on_peer_reinvite(kBareImage, at(1));  // now on T.38
  Actions refresh = c.on_peer_reinvite(kBareImage, at(60));
  auto resp = find<action::RespondInvite>(refresh);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 200);
  EXPECT_NE(resp->sdp.find("m=image 20002"), std::string::npos);
  EXPECT_FALSE(find<action::StartT38>(refresh));
  EXPECT_FALSE(find<action::StartAudio>(refresh));
  EXPECT_FALSE(find<action::HangupMedia>(refresh));
  // Same o= version as the 200 to the T.38 re-INVITE (2), after the first answer (1).
  EXPECT_NE(answer.find("o=faxd "), std::string::npos);
  EXPECT_NE(resp->sdp.find(" 2 IN IP4 127.0.0.1"), std::string::npos);
  // An offerless re-INVITE gets the current session as offer.
  auto offerless = find<action::RespondInvite>(c.on_peer_reinvite("", at(61)));
  ASSERT_TRUE(offerless);
  EXPECT_NE(offerless->sdp.find("m=image 20002"), std::string::npos);
}

TEST_F(CallCoreTest, PeerByeMidFaxWaitsForTheFaxResult) {
  CallCore c(settings(false), local());
  c.start_inbound(kT38Answer176, at(0));
  c.on_fax_progress(fax::Progress{1, 14400, true, fax::Transport::t38, "REMOTE"}, at(20));
  Actions bye = c.on_peer_bye(at(30));
  auto hang = find<action::HangupMedia>(bye);
  ASSERT_TRUE(hang);
  EXPECT_EQ(hang->failure, FailureCode::transfer_failed);
  EXPECT_FALSE(find<action::Finish>(bye));
  EXPECT_FALSE(find<action::SendBye>(bye));
  fax::FaxResult r;
  r.ok = false;
  r.pages = 1;
  r.failure = FailureCode::transfer_failed;
  r.message = "Call dropped";
  Actions done = c.on_fax_done(r, at(30.1));
  auto fin = find<action::Finish>(done);
  ASSERT_TRUE(fin);
  EXPECT_FALSE(fin->outcome.ok);
  EXPECT_EQ(fin->outcome.failure, FailureCode::transfer_failed);
  EXPECT_EQ(fin->outcome.fax->pages, 1);
  EXPECT_FALSE(find<action::SendBye>(done));
}

TEST_F(CallCoreTest, TheReasonACallEndsForIsLoggedThoughTheFaxResultLaterMasksIt) {
  // The stack hung up on its own 0.6 s after our 200 (before any re-INVITE); the fax engine's
  // "call dropped" then became the outcome and the stack's reason was nowhere.
  CallCore c(settings(false), local());
  c.start_inbound(kAudioOffer, at(0));
  Actions end = c.on_dialog_terminated(at(0.6), "408 ACK Timeout");
  auto log = find<action::Log>(end);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->event, "ending");
  EXPECT_NE(log->detail.find("failure=transfer_failed"), std::string::npos) << log->detail;
  EXPECT_NE(log->detail.find("408 ACK Timeout"), std::string::npos) << log->detail;
  EXPECT_NE(log->detail.find("bye=false"), std::string::npos) << log->detail;
  ASSERT_TRUE(find<action::HangupMedia>(end));
  fax::FaxResult r;
  r.failure = FailureCode::transfer_failed;
  r.message = "The call dropped prematurely";
  auto fin = find<action::Finish>(c.on_fax_done(r, at(0.7)));
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->outcome.message, "The call dropped prematurely");
}

TEST_F(CallCoreTest, EveryEndOfAnAnsweredCallSaysWhy) {
  CallCore c(settings(false), local());
  c.start_inbound(kAudioOffer, at(0));
  Actions end = c.on_fax_done(ok_result(1), at(30));
  auto log = find<action::Log>(end);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->event, "ending");
  EXPECT_NE(log->detail.find("bye=true"), std::string::npos) << log->detail;
  EXPECT_NE(log->detail.find("failure=none"), std::string::npos) << log->detail;
  EXPECT_NE(log->detail.find("message=\"OK\""), std::string::npos) << log->detail;
}

TEST_F(CallCoreTest, WatchdogEndsAStalledCallEvenWithoutAFaxResult) {
  CallSettings s = settings(false);
  s.timers.stall_timeout = std::chrono::seconds(100);
  s.timers.end_grace = std::chrono::seconds(10);
  CallCore c(s, local());
  c.start_inbound(kT38Answer176, at(0));
  c.on_fax_progress(fax::Progress{1, 14400, true, fax::Transport::t38, ""}, at(50));
  EXPECT_FALSE(find<action::SendBye>(c.tick(at(149))));  // progress moved the deadline
  Actions w = c.tick(at(150));
  EXPECT_TRUE(find<action::SendBye>(w));
  EXPECT_TRUE(find<action::HangupMedia>(w));
  EXPECT_FALSE(find<action::Finish>(w));
  EXPECT_FALSE(find<action::Finish>(c.tick(at(159))));
  auto fin = find<action::Finish>(c.tick(at(160)));
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->outcome.failure, FailureCode::transfer_failed);
  EXPECT_NE(fin->outcome.message.find("watchdog"), std::string::npos);
}

TEST_F(CallCoreTest, UnusableOfferGets488) {
  CallCore c(settings(false), local());
  Actions a = c.start_inbound("v=0\r\nc=IN IP4 1.1.1.1\r\nm=audio 4000 RTP/AVP 18\r\n", at(0));
  auto resp = find<action::RespondInvite>(a);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 488);
  auto fin = find<action::Finish>(a);
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->outcome.sip_status, 488);
}

TEST_F(CallCoreTest, OfferlessInviteTakesTheAnswerFromTheAck) {
  CallCore c(settings(false), local());
  Actions a = c.start_inbound("", at(0));
  auto resp = find<action::RespondInvite>(a);
  ASSERT_TRUE(resp);
  EXPECT_NE(resp->sdp.find("m=audio 20000 RTP/AVP 0 8"), std::string::npos);
  EXPECT_FALSE(find<action::StartAudio>(a));
  auto audio = find<action::StartAudio>(c.on_ack(kAudioOffer, at(0.1)));
  ASSERT_TRUE(audio);
  EXPECT_EQ(audio->codec, fax::AudioCodec::pcma);
}

TEST_F(CallCoreTest, CancelAnsweredCallSendsByeAndReportsCanceled) {
  CallCore c(settings(true), local());
  c.start_outbound(at(0));
  c.on_invite_response(200, "OK", kAudioOffer, false, at(1));
  Actions a = c.cancel(at(5));
  EXPECT_TRUE(find<action::SendBye>(a));
  auto hang = find<action::HangupMedia>(a);
  ASSERT_TRUE(hang);
  EXPECT_EQ(hang->failure, FailureCode::canceled);
  fax::FaxResult r;
  r.failure = FailureCode::canceled;
  r.message = "canceled";
  auto fin = find<action::Finish>(c.on_fax_done(r, at(5.1)));
  ASSERT_TRUE(fin);
  EXPECT_EQ(fin->outcome.failure, FailureCode::canceled);
}

}  // namespace
}  // namespace faxd::sip
