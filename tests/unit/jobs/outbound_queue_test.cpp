// The outbound queue against a real SQLite store, a manual clock and fake SIP/routes.
#include <gtest/gtest.h>

#include <deque>

#include "faxd/common/time.hpp"
#include "faxd/jobs/outbound_queue.hpp"
#include "faxd/sip/sip_engine.hpp"
#include "faxd/store/db.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

using namespace faxd;
using namespace faxd::jobs;
using namespace std::chrono_literals;

namespace {

class FakeHandle final : public sip::CallHandle {
 public:
  explicit FakeHandle(std::string id) : id_(std::move(id)) {}
  const std::string& call_id() const override { return id_; }
  void cancel() override { canceled = true; }
  bool canceled = false;

 private:
  std::string id_;
};

class FakeDialer final : public Dialer {
 public:
  struct Call {
    DialRequest request;
    sip::CallCallbacks callbacks;
    std::shared_ptr<FakeHandle> handle;
  };
  std::shared_ptr<sip::CallHandle> dial(DialRequest r, sip::CallCallbacks cb) override {
    auto h = std::make_shared<FakeHandle>(r.job.call_id);
    calls.push_back({std::move(r), std::move(cb), h});
    return h;
  }
  // Ends the oldest unanswered call with `outcome`.
  void end(sip::CallOutcome outcome) {
    auto call = std::move(calls.front());
    calls.pop_front();
    call.callbacks.on_end(outcome);
  }
  std::deque<Call> calls;
};

// Routes every number to `carriers`, honouring max_calls as the real planner does.
class FakePlanner final : public RoutePlanner {
 public:
  Result<RoutePlan> plan(const std::string&, const std::string& company_id, const std::string&,
                         const CallsInUse& in_use) override {
    RoutePlan p;
    planned_company = company_id;
    if (disabled) return RoutePlan{.tenant_disabled = true, .tenant_message = "switched off"};
    for (const auto& c : carriers) {
      auto it = in_use.find(c.id);
      if (c.max_calls > 0 && it != in_use.end() && it->second >= c.max_calls) continue;
      p.carriers.push_back(c);
    }
    p.all_full = p.carriers.empty() && !carriers.empty();
    return p;
  }
  std::vector<CarrierTarget> carriers;
  std::string planned_company;
  bool disabled = false;
};

sip::CallOutcome status(int code, FailureCode failure, std::string msg) {
  return {.ok = false, .failure = failure, .message = std::move(msg), .sip_status = code};
}

sip::CallOutcome faxed(bool ok, FailureCode failure = FailureCode::internal, int pages = 2) {
  fax::FaxResult r{.ok = ok,
                   .pages = pages,
                   .bit_rate = 14400,
                   .ecm = true,
                   .transport = fax::Transport::t38,
                   .remote_station_id = "REMOTE",
                   .failure = failure,
                   .message = ok ? "OK" : "Disconnected after permitted retries"};
  return {.ok = ok,
          .failure = failure,
          .message = r.message,
          .sip_status = 200,
          .fax = r,
          .transport = fax::Transport::t38};
}

struct QueueTest : ::testing::Test {
  void SetUp() override {
    db = test::open_test_db(dir);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->write([](store::Conn& c) {
      c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES ('B1','b','t','t')");
      c.exec(
          "INSERT INTO companies (id, brand_id, name, created_at, updated_at) VALUES "
          "('C1','B1','c','t','t')");
      c.exec(
          "INSERT INTO virtual_faxes (id, company_id, name, created_at, updated_at) VALUES "
          "('V1','C1','v','t','t')");
    }));
    faxes = std::make_unique<store::FaxRepo>(*db, clock);
    destinations = std::make_unique<store::DestinationRepo>(*db, clock);
    planner.carriers = {{.id = "A", .name = "alpha", .host = "127.0.0.1", .port = 5070},
                        {.id = "B", .name = "beta", .host = "127.0.0.1", .port = 5080}};
    QueueOptions o;
    o.spool_dir = "/spool";
    o.retry.max_dials = 4;
    queue = std::make_unique<OutboundQueue>(
        *faxes, *destinations, planner, dialer,
        [](const store::Fax&) {
          return SenderIdentity{"STATION", "ACME"};
        },
        clock, o);
  }

  store::Fax submit() {
    auto r = faxes->create_outbound({.brand_id = "B1",
                                     .company_id = "C1",
                                     .virtual_fax_id = "V1",
                                     .from_number = "+34910000001",
                                     .to_number = "+34910000002",
                                     .pages_total = 2,
                                     .document = "doc.tiff"});
    EXPECT_TRUE(r);
    return r->first;
  }
  store::Fax get(const std::string& id) { return **faxes->find(id); }
  std::string claim_until(const std::string& id) {
    auto r = db->read([&](store::Conn& c) {
      auto& st = c.prepare("SELECT claim_until FROM faxes WHERE id = ?");
      st.bind_all(id);
      return st.step() ? st.text(0) : std::string();
    });
    return r ? *r : std::string();
  }

  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<store::Db> db;
  std::unique_ptr<store::FaxRepo> faxes;
  std::unique_ptr<store::DestinationRepo> destinations;
  FakePlanner planner;
  FakeDialer dialer;
  std::unique_ptr<OutboundQueue> queue;
};

TEST_F(QueueTest, DeliveredFaxRecordsPagesTransportAndTheModeThatWorked) {
  auto f = submit();
  queue->poll();
  ASSERT_EQ(dialer.calls.size(), 1u);
  const auto& req = dialer.calls.front().request;
  EXPECT_EQ(req.carrier.name, "alpha");
  EXPECT_EQ(req.to_number, "+34910000002");
  EXPECT_EQ(req.from_number, "+34910000001");
  EXPECT_EQ(req.job.tiff_path, "/spool/doc.tiff");
  EXPECT_EQ(req.job.local_station_id, "STATION");
  EXPECT_EQ(req.job.header, "ACME");
  EXPECT_TRUE(req.t38);
  EXPECT_EQ(get(f.id).status, store::FaxStatus::sending);
  dialer.calls.front().callbacks.on_progress(
      {.kind = sip::CallProgress::Kind::page, .pages_done = 1});
  EXPECT_EQ(get(f.id).pages, 1);
  dialer.end(faxed(true));
  auto done = get(f.id);
  EXPECT_EQ(done.status, store::FaxStatus::delivered);
  EXPECT_EQ(done.pages, 2);
  EXPECT_EQ(done.transport, "t38");
  EXPECT_EQ(done.bit_rate, 14400);
  EXPECT_EQ(done.remote_station_id, "REMOTE");
  EXPECT_EQ(queue->active_calls(), 0);
  EXPECT_EQ(**destinations->mode("+34910000002"), "t38_ecm");
}

TEST_F(QueueTest, EachCarrierGetsNumbersInItsOwnFormat) {
  planner.carriers = {
      {.id = "A",
       .name = "national",
       .host = "127.0.0.1",
       .number_format = "national",
       .dial_prefix = "1234#",
       .country = "ES"},
      {.id = "B", .name = "digits", .host = "127.0.0.1", .number_format = "e164_digits"}};
  auto f = submit();
  queue->poll();
  ASSERT_EQ(dialer.calls.size(), 1u);
  EXPECT_EQ(dialer.calls.front().request.to_number, "1234#910000002");
  EXPECT_EQ(dialer.calls.front().request.from_number, "910000001");
  EXPECT_EQ(planner.planned_company, "C1") << "the company's routes are asked for";
  dialer.end(status(503, FailureCode::carrier_unreachable, "503"));
  ASSERT_EQ(dialer.calls.size(), 1u);
  EXPECT_EQ(dialer.calls.front().request.to_number, "34910000002");
  EXPECT_EQ(dialer.calls.front().request.from_number, "34910000001");
  dialer.end(faxed(true));
  EXPECT_EQ(get(f.id).to_number, "+34910000002") << "the fax keeps E.164";
}

TEST_F(QueueTest, NeverDialsWithoutACallerId) {
  auto r = faxes->create_outbound({.brand_id = "B1",
                                   .company_id = "C1",
                                   .virtual_fax_id = "V1",
                                   .to_number = "+34910000002",
                                   .pages_total = 1,
                                   .document = "doc.tiff"});
  ASSERT_TRUE(r);
  queue->poll();
  EXPECT_TRUE(dialer.calls.empty());
  auto f = get(r->first.id);
  EXPECT_EQ(f.status, store::FaxStatus::failed);
  EXPECT_NE(f.failure_message.value_or("").find("no caller id"), std::string::npos);
}

TEST_F(QueueTest, SwitchedOffTenantsFaxWaitsUndialledAndGoesWhenSwitchedOn) {
  planner.disabled = true;
  auto f = submit();
  queue->poll();
  EXPECT_TRUE(dialer.calls.empty());
  auto q = get(f.id);
  EXPECT_EQ(q.status, store::FaxStatus::queued);
  EXPECT_EQ(q.dials, 0);
  EXPECT_EQ(q.failure_code, "tenant_disabled");  // its own words in the UI, not "rejected"
  EXPECT_EQ(q.failure_message, "switched off");
  planner.disabled = false;
  clock.advance(61s);
  queue->poll();
  EXPECT_EQ(dialer.calls.size(), 1u);
}

TEST_F(QueueTest, UnreachableCarrierFailsOverToTheNextInTheSameAttempt) {
  auto f = submit();
  queue->poll();
  dialer.end(status(0, FailureCode::carrier_unreachable, "408 Request Timeout (local)"));
  ASSERT_EQ(dialer.calls.size(), 1u) << "the next carrier is dialed at once";
  EXPECT_EQ(dialer.calls.front().request.carrier.name, "beta");
  dialer.end(faxed(true));
  EXPECT_EQ(get(f.id).status, store::FaxStatus::delivered);
  EXPECT_EQ(get(f.id).dials, 1) << "failover is part of one attempt";
  auto attempts = *faxes->attempts(f.id);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].carrier_name, "alpha");
  EXPECT_EQ(attempts[0].failure_code, "carrier_unreachable");
  EXPECT_EQ(attempts[1].carrier_name, "beta");
  EXPECT_EQ(attempts[1].result, "delivered");
}

TEST_F(QueueTest, BusyIsRequeuedWithItsDelayAndRetriedWhenDue) {
  auto f = submit();
  queue->poll();
  dialer.end(status(486, FailureCode::busy, "486 Busy Here"));
  EXPECT_TRUE(dialer.calls.empty()) << "busy is not a connect failure: no failover";
  auto q = get(f.id);
  EXPECT_EQ(q.status, store::FaxStatus::queued);
  EXPECT_EQ(q.failure_code, "busy");
  ASSERT_TRUE(q.next_attempt_at);
  queue->poll();
  EXPECT_TRUE(dialer.calls.empty()) << "not due yet";
  clock.advance(181s);
  queue->poll();
  ASSERT_EQ(dialer.calls.size(), 1u);
  dialer.end(faxed(true));
  EXPECT_EQ(get(f.id).status, store::FaxStatus::delivered);
  EXPECT_EQ(get(f.id).dials, 2);
}

TEST_F(QueueTest, GivesUpAfterMaxDialsWithTheLastReason) {
  auto f = submit();
  for (int i = 0; i < 4; ++i) {
    queue->poll();
    ASSERT_EQ(dialer.calls.size(), 1u) << "dial " << i;
    dialer.end(status(486, FailureCode::busy, "486 Busy Here"));
    clock.advance(200s);
  }
  auto failed = get(f.id);
  EXPECT_EQ(failed.status, store::FaxStatus::failed);
  EXPECT_EQ(failed.failure_code, "busy");
  EXPECT_EQ(failed.failure_message, "486 Busy Here; gave up: too many dials");
}

TEST_F(QueueTest, RejectedIsFinalAndNoRouteFailsAtOnce) {
  auto f = submit();
  queue->poll();
  dialer.end(status(403, FailureCode::rejected, "403 Forbidden"));
  EXPECT_EQ(get(f.id).status, store::FaxStatus::failed);
  EXPECT_EQ(get(f.id).failure_message, "403 Forbidden");
  planner.carriers.clear();
  auto g = submit();
  queue->poll();
  EXPECT_TRUE(dialer.calls.empty());
  EXPECT_EQ(get(g.id).status, store::FaxStatus::failed);
  EXPECT_EQ(get(g.id).failure_code, "no_route");
}

TEST_F(QueueTest, LineTroubleStepsTheDestinationDownTheFallbackLadder) {
  // Two line failures in a mode step the number down (one is not enough).
  auto f = submit();
  queue->poll();
  dialer.end(faxed(false, FailureCode::negotiation_failed, 0));
  EXPECT_EQ(get(f.id).status, store::FaxStatus::queued);
  EXPECT_EQ(get(f.id).attempts, 1) << "the fax machine was reached: a try";
  EXPECT_EQ(**destinations->mode("+34910000002"), "t38_ecm") << "one strike";
  clock.advance(61s);
  queue->poll();
  ASSERT_EQ(dialer.calls.size(), 1u);
  EXPECT_TRUE(dialer.calls.front().request.t38);
  dialer.end(faxed(false, FailureCode::transfer_failed, 1));
  EXPECT_EQ(**destinations->mode("+34910000002"), "g711_ecm");
  clock.advance(61s);
  queue->poll();
  ASSERT_EQ(dialer.calls.size(), 1u);
  EXPECT_FALSE(dialer.calls.front().request.t38) << "the next attempt uses G.711";
  EXPECT_TRUE(dialer.calls.front().request.job.ecm);
}

TEST_F(QueueTest, FailuresDuringOurOwnOverloadDoNotStepTheDestinationDown) {
  for (int i = 0; i < 3; ++i) {
    auto f = submit();
    queue->poll();
    auto o = faxed(false, FailureCode::transfer_failed, 0);
    o.fax->local_overload = true;
    dialer.end(o);
  }
  EXPECT_EQ(**destinations->mode("+34910000002"), "t38_ecm");
  auto g = submit();
  queue->poll();
  ASSERT_FALSE(dialer.calls.empty());
  EXPECT_TRUE(dialer.calls.back().request.t38);
}

TEST_F(QueueTest, CancelHangsUpTheLiveCallAndTheFaxEndsCanceled) {
  auto f = submit();
  queue->poll();
  EXPECT_EQ(*faxes->cancel(f.id), store::CancelResult::hangup_needed);
  EXPECT_TRUE(queue->cancel(f.id));
  EXPECT_TRUE(dialer.calls.front().handle->canceled);
  dialer.end(status(487, FailureCode::canceled, "487 Request Terminated"));
  EXPECT_EQ(get(f.id).status, store::FaxStatus::canceled);
  EXPECT_FALSE(queue->cancel(f.id));
}

TEST_F(QueueTest, CarrierMaxCallsIsRespected) {
  planner.carriers = {{.id = "A", .name = "alpha", .max_calls = 1}};
  auto f1 = submit();
  auto f2 = submit();
  queue->poll();
  EXPECT_EQ(dialer.calls.size(), 1u);
  EXPECT_EQ(get(f2.id).status, store::FaxStatus::queued) << "waits for a free line";
  dialer.end(faxed(true));
  clock.advance(6s);
  queue->poll();
  EXPECT_EQ(dialer.calls.size(), 1u);
}

TEST_F(QueueTest, LeaseIsRenewedOnlyOnceHalfOfItHasRun) {
  // 600 s leases: renewing every second would write every live fax's row every second.
  auto f = submit();
  queue->poll();
  ASSERT_EQ(dialer.calls.size(), 1u);
  const auto first = claim_until(f.id);
  ASSERT_FALSE(first.empty());
  clock.advance(299s);
  queue->renew_leases();
  EXPECT_EQ(claim_until(f.id), first) << "a young lease is left alone";
  clock.advance(2s);
  queue->renew_leases();
  const auto renewed = claim_until(f.id);
  EXPECT_GT(renewed, first) << "renewed before it could expire";
  clock.advance(10s);
  queue->renew_leases();
  EXPECT_EQ(claim_until(f.id), renewed);
}

}  // namespace

// send_at (issue #20): a fax scheduled a minute ahead is not dialled before it, is dialled once
// it is due, and can be moved while it waits.
TEST_F(QueueTest, ScheduledFaxIsNotDialledBeforeItsTime) {
  auto r = faxes->create_outbound({.brand_id = "B1",
                                   .company_id = "C1",
                                   .virtual_fax_id = "V1",
                                   .from_number = "+34910000001",
                                   .to_number = "+34910000002",
                                   .pages_total = 1,
                                   .document = "doc.tiff",
                                   .send_at = clock.now() + 60s});
  ASSERT_TRUE(r);
  const auto id = r->first.id;
  EXPECT_EQ(r->first.next_attempt_at, r->first.send_at);
  for (int s = 0; s < 59; ++s) {
    queue->poll();
    ASSERT_TRUE(dialer.calls.empty()) << "dialled " << s << " s early";
    clock.advance(1s);
  }
  queue->poll();
  EXPECT_TRUE(dialer.calls.empty()) << "one second early";
  clock.advance(1s);
  queue->poll();
  ASSERT_EQ(dialer.calls.size(), 1u) << "due at send_at";
  dialer.end(faxed(true));
  EXPECT_EQ(get(id).status, store::FaxStatus::delivered);
  EXPECT_EQ(get(id).dials, 1);
}

TEST_F(QueueTest, ScheduledFaxCanBeMovedWhileQueuedOnly) {
  auto r = faxes->create_outbound({.brand_id = "B1",
                                   .company_id = "C1",
                                   .virtual_fax_id = "V1",
                                   .from_number = "+34910000001",
                                   .to_number = "+34910000002",
                                   .document = "doc.tiff",
                                   .send_at = clock.now() + 60s});
  ASSERT_TRUE(r);
  const auto id = r->first.id;
  auto moved = faxes->reschedule(id, clock.now() + 120s);
  ASSERT_TRUE(moved && *moved);
  EXPECT_EQ((*moved)->send_at, format_rfc3339(clock.now() + 120s));
  clock.advance(90s);
  queue->poll();
  EXPECT_TRUE(dialer.calls.empty()) << "moved later: not due at the old time";
  clock.advance(30s);
  queue->poll();
  ASSERT_EQ(dialer.calls.size(), 1u);
  auto again = faxes->reschedule(id, clock.now() + 60s);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again) << "a sending fax cannot be rescheduled";
  dialer.end(faxed(true));
}

TEST_F(QueueTest, KillTimeOfAScheduledFaxCountsFromItsSendTime) {
  auto r = faxes->create_outbound({.brand_id = "B1",
                                   .company_id = "C1",
                                   .virtual_fax_id = "V1",
                                   .from_number = "+34910000001",
                                   .to_number = "+34910000002",
                                   .document = "doc.tiff",
                                   .send_at = clock.now() + std::chrono::hours(24 * 20)});
  ASSERT_TRUE(r);
  clock.advance(std::chrono::hours(24 * 20));
  queue->poll();
  ASSERT_EQ(dialer.calls.size(), 1u);
  dialer.end(status(486, FailureCode::busy, "486 Busy Here"));
  EXPECT_EQ(get(r->first.id).status, store::FaxStatus::queued)
      << "20 days after creation, but just due: retried, not killed";
}
