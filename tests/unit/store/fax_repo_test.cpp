#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "faxd/common/time.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/fax_repo.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

using namespace faxd;
using namespace faxd::store;
using namespace std::chrono_literals;

namespace {

struct FaxRepoTest : ::testing::Test {
  void SetUp() override {
    db = test::open_test_db(dir);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->write([](Conn& c) {
      for (auto b : {"B1", "B2"})
        c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES (?, ?, 't', 't')", b,
               b);
      c.exec(
          "INSERT INTO companies (id, brand_id, name, created_at, updated_at) VALUES "
          "('C1','B1','c1','t','t')");
      c.exec(
          "INSERT INTO companies (id, brand_id, name, created_at, updated_at) VALUES "
          "('C2','B2','c2','t','t')");
      c.exec(
          "INSERT INTO virtual_faxes (id, company_id, name, created_at, updated_at) VALUES "
          "('V1','C1','v1','t','t')");
      c.exec(
          "INSERT INTO virtual_faxes (id, company_id, name, created_at, updated_at) VALUES "
          "('V2','C2','v2','t','t')");
    }));
    repo = std::make_unique<FaxRepo>(*db, clock);
  }

  Fax send(std::string company = "C1", std::string vfax = "V1",
           std::optional<std::string> key = {}) {
    NewOutboundFax n{.brand_id = company == "C1" ? "B1" : "B2",
                     .company_id = company,
                     .virtual_fax_id = vfax,
                     .created_by = "U1",
                     .from_number = "+34910000001",
                     .to_number = "+34910000002",
                     .pages_total = 3,
                     .idempotency_key = key,
                     .document = "spool/x.tiff"};
    clock.advance(1ms);
    auto r = repo->create_outbound(n);
    EXPECT_TRUE(r) << r.error().message;
    return r->first;
  }

  std::vector<std::string> event_types(const std::string& fax_id) {
    return *db->read([&](Conn& c) {
      auto& st = c.prepare("SELECT type FROM events WHERE fax_id = ? ORDER BY seq");
      st.bind_all(fax_id);
      std::vector<std::string> out;
      while (st.step()) out.push_back(st.text(0));
      return out;
    });
  }

  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<Db> db;
  std::unique_ptr<FaxRepo> repo;
};

TEST_F(FaxRepoTest, OutboundFaxGoesQueuedSendingDeliveredWithEventsAndAttempts) {
  Fax f = send();
  EXPECT_EQ(f.status, FaxStatus::queued);
  auto claimed = repo->claim_due("node-a", clock.now() + 5min, 10);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].status, FaxStatus::sending);
  EXPECT_EQ((*claimed)[0].dials, 1);
  auto attempt = repo->begin_attempt(f.id, "CAR1", "carrier one");
  ASSERT_TRUE(attempt);
  ASSERT_TRUE(repo->record_progress(f.id, {.transport = "t38"}));  // no page yet: no event
  ASSERT_TRUE(repo->record_progress(
      f.id, {.pages = 1, .bit_rate = 14400, .ecm = true, .transport = "t38"}));
  ASSERT_TRUE(repo->record_progress(f.id, {.pages = 1, .transport = "t38"}));  // same page again
  ASSERT_TRUE(repo->end_attempt(*attempt, {.result = "delivered", .transport = "t38", .pages = 3}));
  auto done = repo->finish(f.id, FaxStatus::delivered,
                           {.pages = 3,
                            .bit_rate = 14400,
                            .ecm = true,
                            .transport = "t38",
                            .remote_station_id = "REMOTE"},
                           std::nullopt, "", true);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, FaxStatus::delivered);
  EXPECT_EQ(done->pages, 3);
  EXPECT_EQ(done->attempts, 1);
  EXPECT_EQ(done->calls, 1);
  EXPECT_TRUE(done->completed_at);
  const auto j = to_json(*done);
  EXPECT_EQ(j["attempts"], 1) << "calls made, as GET /faxes/{id}/attempts lists them";
  EXPECT_EQ(j["tries"], 1) << "calls that reached a fax machine";
  EXPECT_EQ(j["transport"], "t38");
  EXPECT_EQ(j["remote_station_id"], "REMOTE");
  EXPECT_TRUE(j["failure"].is_null());
  EXPECT_EQ(event_types(f.id),
            (std::vector<std::string>{"fax.queued", "fax.sending", "fax.page", "fax.delivered"}));
  auto attempts = repo->attempts(f.id);
  ASSERT_TRUE(attempts);
  ASSERT_EQ(attempts->size(), 1u);
  EXPECT_EQ((*attempts)[0].carrier_name, "carrier one");
  EXPECT_EQ((*attempts)[0].result, "delivered");
  // Finishing again (a late duplicate callback) changes nothing.
  auto again = repo->finish(f.id, FaxStatus::failed, {}, FailureCode::internal, "late");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, FaxStatus::delivered);
}

TEST_F(FaxRepoTest, BusyRequeuesWithNextAttemptAndTheLastFailure) {
  Fax f = send();
  ASSERT_TRUE(repo->claim_due("n", clock.now() + 1min, 10));
  auto q = repo->requeue(f.id, clock.now() + 180s, FailureCode::busy, "486 Busy Here", false);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->status, FaxStatus::queued);
  EXPECT_EQ(q->failure_code, "busy");
  ASSERT_TRUE(q->next_attempt_at);
  EXPECT_EQ(q->attempts, 0) << "a busy line is a dial, not a try";
  EXPECT_EQ(to_json(*q)["tries"], 0);
  EXPECT_EQ(repo->claim_due("n", clock.now() + 1min, 10)->size(), 0u) << "not due yet";
  EXPECT_EQ(*repo->next_due(), parse_rfc3339(*q->next_attempt_at));
  clock.advance(181s);
  auto again = repo->claim_due("n", clock.now() + 1min, 10);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].dials, 2);
}

TEST_F(FaxRepoTest, WaitingForAFreeLineDoesNotUseUpDials) {
  Fax f = send();
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(repo->claim_due("n", clock.now() + 1min, 10)->size(), 1u);
    ASSERT_TRUE(repo->requeue(f.id, clock.now(), FailureCode::busy,
                              "every carrier is at its call limit", false, /*dialed=*/false));
  }
  EXPECT_EQ((*repo->find(f.id))->dials, 0) << "no call was placed";
  ASSERT_EQ(repo->claim_due("n", clock.now() + 1min, 10)->size(), 1u);
  EXPECT_EQ((*repo->find(f.id))->dials, 1);
}

TEST_F(FaxRepoTest, AFaxIsClaimedByOneNodeOnly) {
  send();
  auto a = repo->claim_due("node-a", clock.now() + 5min, 10);
  auto b = repo->claim_due("node-b", clock.now() + 5min, 10);
  EXPECT_EQ(a->size(), 1u);
  EXPECT_EQ(b->size(), 0u);
}

TEST_F(FaxRepoTest, IdempotencyKeyReturnsTheFirstFax) {
  Fax first = send("C1", "V1", "key-1");
  auto second = repo->create_outbound({.brand_id = "B1",
                                       .company_id = "C1",
                                       .virtual_fax_id = "V1",
                                       .created_by = "U1",
                                       .to_number = "+1",
                                       .idempotency_key = "key-1",
                                       .document = "other"});
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->second);
  EXPECT_EQ(second->first.id, first.id);
  EXPECT_EQ(*repo->count_with_status(FaxStatus::queued), 1);
}

TEST_F(FaxRepoTest, CancelQueuedAtOnceSendingNeedsAHangupFinalNever) {
  Fax queued = send();
  EXPECT_EQ(*repo->cancel(queued.id), CancelResult::canceled);
  EXPECT_EQ((*repo->find(queued.id))->status, FaxStatus::canceled);
  EXPECT_EQ(*repo->cancel(queued.id), CancelResult::not_cancelable);
  Fax live = send();
  ASSERT_TRUE(repo->claim_due("n", clock.now() + 1min, 10));
  EXPECT_EQ(*repo->cancel(live.id), CancelResult::hangup_needed);
  EXPECT_EQ((*repo->find(live.id))->status, FaxStatus::sending);
}

TEST_F(FaxRepoTest, ListIsNewestFirstScopedFilteredAndPaged) {
  std::vector<std::string> c1;
  for (int i = 0; i < 5; ++i) c1.push_back(send("C1", "V1").id);
  send("C2", "V2");
  FaxQuery q{.scope = {.company_id = "C1"}, .limit = 2};
  auto p1 = repo->list(q);
  ASSERT_TRUE(p1);
  ASSERT_EQ(p1->data.size(), 2u);
  EXPECT_EQ(p1->data[0].id, c1[4]);
  EXPECT_EQ(p1->data[1].id, c1[3]);
  ASSERT_TRUE(p1->next_cursor);
  q.cursor = p1->next_cursor;
  auto p2 = repo->list(q);
  EXPECT_EQ(p2->data[0].id, c1[2]);
  q.cursor = p2->next_cursor;
  auto p3 = repo->list(q);
  EXPECT_EQ(p3->data.size(), 1u);
  EXPECT_FALSE(p3->next_cursor);

  auto user_view = repo->list({.scope = {.virtual_fax_ids = std::vector<std::string>{"V2"}}});
  ASSERT_EQ(user_view->data.size(), 1u);
  EXPECT_EQ(user_view->data[0].company_id, "C2");
  auto nothing = repo->list({.scope = {.virtual_fax_ids = std::vector<std::string>{}}});
  EXPECT_TRUE(nothing->data.empty()) << "a user linked to no virtual fax sees nothing";
  auto delivered = repo->list({.status = "delivered"});
  EXPECT_TRUE(delivered->data.empty());
  EXPECT_FALSE(*repo->find_in_scope(c1[0], {.company_id = "C2"}))
      << "outside the scope looks missing";
  EXPECT_TRUE(*repo->find_in_scope(c1[0], {.brand_id = "B1"}));
}

TEST_F(FaxRepoTest, RecoveryRequeuesInterruptedSendsAndFailsInterruptedReceives) {
  Fax out = send();
  ASSERT_TRUE(repo->claim_due("node-a", clock.now() + 5min, 10));
  auto attempt = repo->begin_attempt(out.id, std::nullopt, "c");
  ASSERT_TRUE(attempt);
  auto in = repo->create_inbound({.brand_id = "B1",
                                  .company_id = "C1",
                                  .virtual_fax_id = "V1",
                                  .from_number = "+1",
                                  .to_number = "+2",
                                  .document = "in.tiff"});
  ASSERT_TRUE(in);
  ASSERT_TRUE(repo->record_progress(in->id, {.pages = 2}));
  // The process dies here; a new one starts.
  auto n = repo->recover_interrupted("node-a");
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  auto out_after = *repo->find(out.id);
  EXPECT_EQ(out_after->status, FaxStatus::queued);
  EXPECT_EQ((*repo->attempts(out.id))[0].result, "failed");
  auto in_after = *repo->find(in->id);
  EXPECT_EQ(in_after->status, FaxStatus::failed);
  EXPECT_EQ(in_after->pages, 2) << "a partial fax keeps the pages that arrived";
  EXPECT_EQ(repo->claim_due("node-b", clock.now() + 5min, 10)->size(), 1u);
}

TEST_F(FaxRepoTest, AnotherNodesExpiredLeaseIsRecoveredButALiveOneIsNot) {
  Fax f = send();
  ASSERT_TRUE(repo->claim_due("node-a", clock.now() + 5min, 10));
  EXPECT_EQ(*repo->recover_interrupted("node-b"), 0) << "node-a's lease is live";
  clock.advance(6min);
  EXPECT_EQ(*repo->recover_interrupted("node-b"), 1);
  EXPECT_EQ((*repo->find(f.id))->status, FaxStatus::queued);
}

// A cluster: node-a dies mid-call. Its claims run out; node-b takes its faxes over while it
// leaves node-a's live calls alone until then, and never touches its own.
TEST_F(FaxRepoTest, ANodeTakesOverTheFaxesOfADeadNodeOnceItsClaimsRunOut) {
  Fax out = send();
  ASSERT_EQ(repo->claim_due("node-a", clock.now() + 30s, 10)->size(), 1u);
  ASSERT_TRUE(repo->reserve_attempt(out.id, "CAR1", "carrier", 0));
  auto in = repo->create_inbound({.brand_id = "B1",
                                  .company_id = "C1",
                                  .virtual_fax_id = "V1",
                                  .from_number = "+1",
                                  .to_number = "+2",
                                  .document = "inbound/in.tiff",
                                  .node = "node-a",
                                  .claim_until = clock.now() + 30s});
  ASSERT_TRUE(in);
  ASSERT_TRUE(repo->record_progress(in->id, {.pages = 2}));
  auto mine = repo->create_inbound({.brand_id = "B1",
                                    .company_id = "C1",
                                    .virtual_fax_id = "V1",
                                    .document = "inbound/mine.tiff",
                                    .node = "node-b",
                                    .claim_until = clock.now() + 30s});
  ASSERT_TRUE(mine);

  clock.advance(20s);
  EXPECT_EQ(*repo->take_over_expired("node-b"), 0) << "node-a's claims are live";
  ASSERT_TRUE(repo->renew_receiving("node-b", clock.now() + 30s));  // node-b lives on
  clock.advance(20s);  // node-a renewed nothing: its claims ran out 10 s ago
  EXPECT_EQ(*repo->take_over_expired("node-b"), 2);

  auto out_after = **repo->find(out.id);
  EXPECT_EQ(out_after.status, FaxStatus::queued) << "sent again, by whichever node claims it";
  EXPECT_EQ((*repo->attempts(out.id))[0].result, "failed");
  EXPECT_NE((*repo->attempts(out.id))[0].failure_message->find("node node-a"), std::string::npos);
  auto in_after = **repo->find(in->id);
  EXPECT_EQ(in_after.status, FaxStatus::failed);
  EXPECT_EQ(in_after.pages, 2);
  EXPECT_EQ(in_after.failure_message,
            "partial: 2 pages received; interrupted: node node-a stopped while receiving");
  EXPECT_EQ((**repo->find(mine->id)).status, FaxStatus::receiving) << "node-b's own call lives";
  EXPECT_EQ(*repo->take_over_expired("node-b"), 0) << "taken over once";
  EXPECT_EQ(repo->claim_due("node-b", clock.now() + 30s, 10)->size(), 1u);
}

// max_calls holds across nodes: the running calls of every node sharing the store count.
TEST_F(FaxRepoTest, ACarriersLastLineIsReservedOnce) {
  Fax a = send(), b = send();
  auto first = repo->reserve_attempt(a.id, "CAR1", "carrier", 1);
  ASSERT_TRUE(first);
  ASSERT_TRUE(*first);
  auto second = repo->reserve_attempt(b.id, "CAR1", "carrier", 1);
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second) << "the one line is taken";
  EXPECT_TRUE(repo->attempts(b.id)->empty()) << "nothing recorded for a call not made";
  EXPECT_TRUE(*repo->reserve_attempt(b.id, "CAR2", "other", 1)) << "another carrier is free";
  ASSERT_TRUE(repo->end_attempt(**first, {.result = "delivered"}));
  EXPECT_TRUE(*repo->reserve_attempt(b.id, "CAR1", "carrier", 1)) << "the line is free again";
}

TEST_F(FaxRepoTest, RemoveReturnsTheDocumentToDelete) {
  Fax f = send();
  auto doc = repo->remove(f.id);
  ASSERT_TRUE(doc);
  EXPECT_EQ(*doc, "spool/x.tiff");
  EXPECT_FALSE(*repo->find(f.id));
  auto missing = repo->remove(f.id);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

}  // namespace

// The metrics listener hears each change once, after it is stored: a repeated finish or cancel
// (a late call end, a double click) must not count a fax twice on the operator's dashboard.
TEST_F(FaxRepoTest, ListenerHearsEachFinalStateOnceAndEveryRetryAndAttempt) {
  struct Heard final : FaxListener {
    std::vector<std::string> finished, attempts;
    int requeued = 0;
    void fax_finished(const Fax& f) override {
      finished.push_back(std::string(to_string(f.status)));
    }
    void attempt_ended(const AttemptEnd& e) override { attempts.push_back(e.result); }
    void fax_requeued(const Fax&) override { ++requeued; }
  } heard;
  repo->set_listener(&heard);
  Fax f = send();
  ASSERT_TRUE(repo->claim_due("n", clock.now() + 1min, 10));
  auto attempt = repo->begin_attempt(f.id, std::nullopt, "carrier");
  ASSERT_TRUE(attempt);
  ASSERT_TRUE(repo->end_attempt(*attempt, {.result = "failed", .failure = FailureCode::busy}));
  ASSERT_TRUE(repo->requeue(f.id, clock.now(), FailureCode::busy, "486", false));
  ASSERT_TRUE(repo->claim_due("n", clock.now() + 1min, 10));
  ASSERT_TRUE(repo->finish(f.id, FaxStatus::delivered, {.pages = 3}, std::nullopt, ""));
  ASSERT_TRUE(repo->finish(f.id, FaxStatus::failed, {}, FailureCode::transfer_failed, "late"));
  Fax queued = send();
  EXPECT_EQ(*repo->cancel(queued.id), CancelResult::canceled);
  EXPECT_EQ(*repo->cancel(queued.id), CancelResult::not_cancelable);
  EXPECT_EQ(heard.finished, (std::vector<std::string>{"delivered", "canceled"}));
  EXPECT_EQ(heard.attempts, (std::vector<std::string>{"failed"}));
  EXPECT_EQ(heard.requeued, 1);
  repo->set_listener(nullptr);
}

TEST_F(FaxRepoTest, CountsWhatTheFiltersMatchUpToACap) {
  for (int i = 0; i < 3; ++i) send();
  EXPECT_EQ(*repo->count({.scope = {.company_id = "C1"}}, 100), 3);
  EXPECT_EQ(*repo->count({.scope = {.company_id = "C2"}}, 100), 0);
  EXPECT_EQ(*repo->count({.scope = {}, .virtual_fax_id = "V1"}, 100), 3);
  EXPECT_EQ(*repo->count({.scope = {.virtual_fax_ids = std::vector<std::string>{"V1", "V9"}}}, 100),
            3);
  EXPECT_EQ(*repo->count({.scope = {.virtual_fax_ids = std::vector<std::string>{}}}, 100), 0);
  EXPECT_EQ(*repo->count({.scope = {}, .to_number = "+34910000002"}, 100), 3);
  EXPECT_EQ(*repo->count({.scope = {}, .to_number = "+34910000009"}, 100), 0);
  EXPECT_EQ(*repo->count({.scope = {}}, 1), 2) << "counts cap + 1 at most";
  EXPECT_EQ(*repo->count({.scope = {}, .cursor = "0"}, 100), 3) << "the cursor does not count";
}
