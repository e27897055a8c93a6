// SipEngine end to end on loopback: two engines on one io_context, fake media engines. These
// exercise the nua glue (decisions, re-INVITE, CANCEL, shutdown) without SIPp; they wait for
// outcomes with generous deadlines and assert only on what happened, never on timing.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <optional>

#include "fake_media_engine.hpp"
#include "faxd/sip/sip_engine.hpp"

namespace faxd::sip {
namespace {

// A port free for both UDP and TCP on 127.0.0.1 right now.
std::uint16_t free_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int s = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    int t = ::socket(AF_INET, SOCK_STREAM, 0);
    const bool ok = ::bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(t);
    if (ok) return ntohs(a.sin_port);
  }
  return 0;
}

class Handler final : public CallHandler {
 public:
  void on_inbound_invite(const InboundCall& call, Decide decide) override {
    calls.push_back(call);
    if (hold) {
      held = std::move(decide);
      return;
    }
    if (call.called_number != "100") {
      decide(InboundDecision::reject(404));
      return;
    }
    fax::FaxJob job;
    job.direction = fax::Direction::receive;
    decide(InboundDecision::accept(job, callbacks()));
  }
  CallCallbacks callbacks() {
    CallCallbacks cb;
    cb.on_progress = [this](const CallProgress& p) { progress.push_back(p.kind); };
    cb.on_end = [this](const CallOutcome& o) { outcome = o; };
    return cb;
  }
  bool hold = false;
  Decide held;
  std::vector<InboundCall> calls;
  std::vector<CallProgress::Kind> progress;
  std::optional<CallOutcome> outcome;
};

SipEngineOptions options(std::uint16_t port, int reinvite_after_s) {
  SipEngineOptions o;
  o.listen = {"127.0.0.1", port};
  o.t38.reinvite_after_s = reinvite_after_s;
  o.timers.end_grace = std::chrono::seconds(2);
  return o;
}

test::FakeMediaEngine::Options media(std::uint16_t first_port, int complete_ms) {
  test::FakeMediaEngine::Options m;
  m.first_port = first_port;
  m.complete_after = std::chrono::milliseconds(complete_ms);
  return m;
}

// Two engines on one io_context, each on a free port of its own with its fake media engine and
// handler; a calls b. Each engine's T.38 re-INVITE comes after its reinvite_after_s.
struct Pair {
  Pair(boost::asio::io_context& io, const Clock& clock, test::FakeMediaEngine::Options media_a,
       test::FakeMediaEngine::Options media_b, int a_reinvite_after_s, int b_reinvite_after_s)
      : pa(free_port()),
        pb(free_port()),
        ma(std::move(media_a)),
        mb(std::move(media_b)),
        a(io, ma, ha, clock, options(pa, a_reinvite_after_s)),
        b(io, mb, hb, clock, options(pb, b_reinvite_after_s)) {}
  const std::uint16_t pa, pb;
  test::FakeMediaEngine ma, mb;
  Handler ha, hb;
  SipEngine a, b;
};

class SipEngineTest : public ::testing::Test {
 protected:
  // Builds `pair` and starts both engines; b admits calls from 127.0.0.1. Call it under
  // ASSERT_NO_FATAL_FAILURE.
  void start_pair(test::FakeMediaEngine::Options media_a, test::FakeMediaEngine::Options media_b,
                  int a_reinvite_after_s, int b_reinvite_after_s) {
    pair.emplace(io, clock, std::move(media_a), std::move(media_b), a_reinvite_after_s,
                 b_reinvite_after_s);
    ASSERT_TRUE(pair->a.start());
    ASSERT_TRUE(pair->b.start());
    pair->b.set_allowed_sources({"127.0.0.1"});
  }

  // Runs the io_context until `done` holds (or 20 s pass).
  template <class Pred>
  bool run_until(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(std::chrono::milliseconds(10));
      io.restart();
    }
    return done();
  }

  void shutdown(SipEngine& e) {
    bool down = false;
    e.shutdown([&] { down = true; });
    ASSERT_TRUE(run_until([&] { return down; }));
  }

  boost::asio::io_context io;
  SystemClock clock;
  std::optional<Pair> pair;
};

CallCallbacks record(std::optional<CallOutcome>& out,
                     std::vector<CallProgress::Kind>* p = nullptr) {
  CallCallbacks cb;
  cb.on_progress = [p](const CallProgress& x) {
    if (p) p->push_back(x.kind);
  };
  cb.on_end = [&out](const CallOutcome& o) { out = o; };
  return cb;
}

OutboundCall call_to(std::uint16_t port, std::string number) {
  OutboundCall c;
  c.carrier_host = "127.0.0.1";
  c.carrier_port = port;
  c.from_number = "15550001";
  c.to_number = std::move(number);
  c.job.direction = fax::Direction::send;
  return c;
}

TEST_F(SipEngineTest, FaxCallSwitchesToT38AndBothSidesSucceed) {
  // Whichever fake fax ends first hangs up; the other side's fax started a little later (the
  // re-INVITE's transit: 10 ms seen at load 12 under ASan), so it counts as whole once it has
  // run 600 ms of its 800 (a real receiver has the last page and DCN before the BYE); a BYE
  // any earlier still fails the test.
  auto whole = [&](std::uint16_t port) {
    auto m = media(port, 800);
    m.whole_after = std::chrono::milliseconds(600);
    return m;
  };
  // The caller (30 s) leaves the switch to the callee (0 s).
  ASSERT_NO_FATAL_FAILURE(start_pair(whole(41000), whole(41100), 30, 0));
  auto& [pa, pb, ma, mb, ha, hb, a, b] = *pair;

  std::optional<CallOutcome> out;
  std::vector<CallProgress::Kind> progress;
  auto handle = a.dial(call_to(pb, "100"), record(out, &progress));
  ASSERT_TRUE(run_until([&] { return out && hb.outcome; }));
  EXPECT_TRUE(out->ok) << out->message;
  EXPECT_EQ(out->transport, fax::Transport::t38);
  EXPECT_EQ(out->sip_status, 200);
  EXPECT_TRUE(hb.outcome->ok) << hb.outcome->message;
  EXPECT_EQ(hb.outcome->transport, fax::Transport::t38);
  ASSERT_EQ(hb.calls.size(), 1u);
  EXPECT_EQ(hb.calls[0].called_number, "100");
  EXPECT_EQ(hb.calls[0].from_user, "15550001");
  EXPECT_EQ(hb.calls[0].source_address, "127.0.0.1");
  EXPECT_NE(std::find(progress.begin(), progress.end(), CallProgress::Kind::answered),
            progress.end());
  handle->cancel();  // after the end: nothing happens
  shutdown(a);
  shutdown(b);
}

TEST_F(SipEngineTest, UnknownSourceIsRefusedWithoutAskingTheHandler) {
  ASSERT_NO_FATAL_FAILURE(start_pair(media(41200, 500), media(41300, 500), 2, 2));
  auto& [pa, pb, ma, mb, ha, hb, a, b] = *pair;
  b.set_allowed_sources({"10.9.9.9", "::ffff:127.0.0.2"});  // not us

  std::optional<CallOutcome> out;
  a.dial(call_to(pb, "100"), record(out));
  ASSERT_TRUE(run_until([&] { return out.has_value(); }));
  EXPECT_FALSE(out->ok);
  EXPECT_EQ(out->sip_status, 403);
  EXPECT_EQ(out->failure, FailureCode::rejected);
  EXPECT_TRUE(hb.calls.empty());
  EXPECT_EQ(mb.active_sessions(), 0);

  // Allowed, but an unknown DDI.
  b.set_allowed_sources({"127.0.0.1"});
  out.reset();
  a.dial(call_to(pb, "999"), record(out));
  ASSERT_TRUE(run_until([&] { return out.has_value(); }));
  EXPECT_EQ(out->sip_status, 404);
  EXPECT_EQ(out->failure, FailureCode::rejected);
  shutdown(a);
  shutdown(b);
}

TEST_F(SipEngineTest, CancelWhileTheCalleeDecides) {
  ASSERT_NO_FATAL_FAILURE(start_pair(media(41400, 500), media(41500, 500), 2, 2));
  auto& [pa, pb, ma, mb, ha, hb, a, b] = *pair;
  hb.hold = true;

  std::optional<CallOutcome> out;
  auto handle = a.dial(call_to(pb, "100"), record(out));
  ASSERT_TRUE(run_until([&] { return static_cast<bool>(hb.held); }));
  handle->cancel();
  ASSERT_TRUE(run_until([&] { return out.has_value(); }));
  EXPECT_EQ(out->failure, FailureCode::canceled);
  EXPECT_EQ(out->sip_status, 487);

  // The callee's late acceptance is told the caller went away; no media is created.
  fax::FaxJob job;
  hb.held(InboundDecision::accept(job, hb.callbacks()));
  ASSERT_TRUE(run_until([&] { return hb.outcome.has_value(); }));
  EXPECT_EQ(hb.outcome->failure, FailureCode::canceled);
  EXPECT_EQ(mb.active_sessions(), 0);
  shutdown(a);
  shutdown(b);
}

TEST_F(SipEngineTest, TwoCallsGivenOneCallIdAreTwoCalls) {
  // A fax redialled while its last call's leg still waits for its BYE's answer comes with the
  // same call id: the engine kept the old leg, dropped the new one unstarted (a dangling
  // reference, no INVITE, no outcome) and the queue counted the call as running for good.
  ASSERT_NO_FATAL_FAILURE(start_pair(media(42000, 500), media(42100, 500), 2, 2));
  auto& [pa, pb, ma, mb, ha, hb, a, b] = *pair;
  hb.hold = true;

  OutboundCall call = call_to(pb, "100");
  call.job.call_id = "SAMEFAXID0-1";
  std::optional<CallOutcome> first, second;
  auto h1 = a.dial(call, record(first));
  auto h2 = a.dial(call, record(second));
  ASSERT_TRUE(run_until([&] { return hb.calls.size() == 2; }));
  h1->cancel();
  h2->cancel();
  ASSERT_TRUE(run_until([&] { return first && second; }));
  EXPECT_EQ(first->failure, FailureCode::canceled);
  EXPECT_EQ(second->failure, FailureCode::canceled);
  shutdown(a);
  shutdown(b);
}

TEST_F(SipEngineTest, ShutdownHangsUpRunningCalls) {
  // The faxes never finish.
  ASSERT_NO_FATAL_FAILURE(start_pair(media(41600, -1), media(41700, -1), 30, 30));
  auto& [pa, pb, ma, mb, ha, hb, a, b] = *pair;

  std::optional<CallOutcome> out;
  std::vector<CallProgress::Kind> progress;
  a.dial(call_to(pb, "100"), record(out, &progress));
  ASSERT_TRUE(run_until([&] {
    return std::find(progress.begin(), progress.end(), CallProgress::Kind::transport) !=
           progress.end();
  }));
  EXPECT_EQ(b.active_calls(), 1);
  shutdown(b);
  ASSERT_TRUE(run_until([&] { return out && hb.outcome; }));
  EXPECT_EQ(hb.outcome->failure, FailureCode::transfer_failed);
  EXPECT_EQ(out->failure, FailureCode::transfer_failed);  // the far end hung up mid-fax
  EXPECT_EQ(b.active_calls(), 0);

  // A stopped engine refuses new calls at once.
  std::optional<CallOutcome> late;
  b.dial(call_to(pa, "100"), record(late));
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->failure, FailureCode::internal);
  shutdown(a);
}

TEST_F(SipEngineTest, GlareOfTwoT38ReinvitesResolves) {
  // The fake faxes last longer than the longest retry delay (4 s), so the switch must happen.
  // Both switch at once: RFC 3261 14.1 glare.
  ASSERT_NO_FATAL_FAILURE(start_pair(media(41800, 4500), media(41900, 4500), 0, 0));
  auto& [pa, pb, ma, mb, ha, hb, a, b] = *pair;
  std::optional<CallOutcome> out;
  a.dial(call_to(pb, "100"), record(out));
  ASSERT_TRUE(run_until([&] { return out && hb.outcome; }));
  EXPECT_TRUE(out->ok) << out->message;
  EXPECT_EQ(out->transport, fax::Transport::t38);
  EXPECT_EQ(hb.outcome->transport, fax::Transport::t38);
  shutdown(a);
  shutdown(b);
}

}  // namespace
}  // namespace faxd::sip
