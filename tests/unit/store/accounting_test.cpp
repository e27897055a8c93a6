// Call records, their CSV, the retention purge's store side, call CSV schedule periods and the
// audit trail (issue #19).
#include <gtest/gtest.h>

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "faxd/store/audit_repo.hpp"
#include "faxd/store/call_csv.hpp"
#include "faxd/store/call_csv_schedule_repo.hpp"
#include "faxd/store/call_repo.hpp"
#include "faxd/store/fax_repo.hpp"
#include "faxd/store/mail_outbox_repo.hpp"
#include "faxd/store/retention_repo.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

using namespace faxd;
using namespace faxd::store;
using namespace std::chrono_literals;

namespace {

struct AccountingTest : ::testing::Test {
  void SetUp() override {
    db = test::open_test_db(dir);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->write([](Conn& c) {
      for (auto b : {"B1", "B2"})
        c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES (?, ?, 't', 't')", b,
               b);
      c.exec(
          "INSERT INTO companies (id, brand_id, name, created_at, updated_at) VALUES "
          "('C1','B1','c1','t','t'), ('C2','B2','c2','t','t')");
      c.exec(
          "INSERT INTO virtual_faxes (id, company_id, name, email, send_by_email, created_at, "
          "updated_at) VALUES ('V1','C1','v1','a@example.com',1,'t','t'), "
          "('V2','C2','v2','','0','t','t')");
    }));
    faxes = std::make_unique<FaxRepo>(*db, clock);
    calls = std::make_unique<CallRepo>(*db);
  }

  Fax send(std::string company = "C1") {
    clock.advance(1ms);
    auto r = faxes->create_outbound({.brand_id = company == "C1" ? "B1" : "B2",
                                     .company_id = company,
                                     .virtual_fax_id = company == "C1" ? "V1" : "V2",
                                     .from_number = "+34910000001",
                                     .to_number = "+34910000002",
                                     .document = "outbound/x.tiff"});
    EXPECT_TRUE(r);
    return r->first;
  }

  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<Db> db;
  std::unique_ptr<FaxRepo> faxes;
  std::unique_ptr<CallRepo> calls;
};

TEST_F(AccountingTest, OutboundAttemptsBecomeCallsWithDurationsRoundedUp) {
  Fax f = send();
  ASSERT_TRUE(faxes->claim_due("n", clock.now() + 5min, 10));
  // First carrier: 503 after 1.2 s, never answered.
  auto a1 = faxes->begin_attempt(f.id, "K1", "k1");
  ASSERT_TRUE(a1);
  clock.advance(1200ms);
  ASSERT_TRUE(faxes->end_attempt(
      *a1, {.result = "failed", .failure = FailureCode::carrier_unreachable, .sip_status = 503}));
  // Second: rings 3 s, answered, 41.5 s of fax.
  auto a2 = faxes->begin_attempt(f.id, "K2", "k2");
  clock.advance(3s);
  ASSERT_TRUE(faxes->attempt_answered(*a2));
  clock.advance(41500ms);
  ASSERT_TRUE(faxes->end_attempt(
      *a2, {.result = "delivered", .transport = "t38", .bit_rate = 14400, .pages = 2}));
  // Deleting the fax keeps what was billed.
  ASSERT_TRUE(faxes->finish(f.id, FaxStatus::delivered, {.pages = 2}, std::nullopt, "", true));
  ASSERT_TRUE(faxes->remove(f.id));

  auto page = calls->list({});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->data.size(), 2u);
  const auto& second = page->data[0];  // newest first
  const auto& first = page->data[1];
  EXPECT_EQ(first.carrier_id, "K1");
  EXPECT_EQ(first.result, "failed");
  EXPECT_EQ(first.failure_code, "carrier_unreachable");
  EXPECT_FALSE(first.answered_at);
  EXPECT_EQ(first.duration_s, 2);  // 1.2 s rounds up
  EXPECT_EQ(first.billable_s, 0);
  EXPECT_EQ(second.carrier_id, "K2");
  EXPECT_EQ(second.direction, "outbound");
  EXPECT_EQ(second.company_id, "C1");
  EXPECT_EQ(second.from_number, "+34910000001");
  EXPECT_EQ(second.duration_s, 45);  // 44.5 s
  EXPECT_EQ(second.billable_s, 42);  // 41.5 s
  EXPECT_EQ(second.pages, 2);
  EXPECT_EQ(second.bit_rate, 14400);
  EXPECT_EQ(second.result, "delivered");
}

TEST_F(AccountingTest, InboundFaxIsOneCallEndedWithTheFax) {
  auto f = faxes->create_inbound({.carrier_id = "K9",
                                  .brand_id = "B1",
                                  .company_id = "C1",
                                  .virtual_fax_id = "V1",
                                  .from_number = "+441234",
                                  .to_number = "+34910000001",
                                  .document = "inbound/y.tiff"});
  ASSERT_TRUE(f);
  clock.advance(500ms);
  ASSERT_TRUE(faxes->inbound_answered(f->id));
  clock.advance(30s);
  ASSERT_TRUE(faxes->finish(f->id, FaxStatus::received,
                            {.pages = 1, .bit_rate = 9600, .transport = "g711"}, std::nullopt, "",
                            true));
  auto page = calls->list({.direction = "inbound"});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->data.size(), 1u);
  const auto& c = page->data[0];
  EXPECT_EQ(c.fax_id, f->id);
  EXPECT_EQ(c.carrier_id, "K9");
  EXPECT_EQ(c.result, "received");
  EXPECT_EQ(c.transport, "g711");
  EXPECT_EQ(c.duration_s, 31);
  EXPECT_EQ(c.billable_s, 30);
}

TEST_F(AccountingTest, ListHoldsToScopeFiltersAndTimeRange) {
  std::vector<std::string> c1_ids;
  for (int i = 0; i < 5; ++i) {
    for (auto co : {"C1", "C2"}) {
      Fax f = send(co);
      clock.advance(1h);
      auto a = faxes->begin_attempt(f.id, "K1", "k");
      ASSERT_TRUE(a);
      if (std::string(co) == "C1") c1_ids.push_back(*a);
      ASSERT_TRUE(faxes->end_attempt(*a, {.result = i % 2 ? "delivered" : "failed"}));
    }
  }
  auto b1 = calls->list({.brand_id = "B1", .limit = 500});
  ASSERT_TRUE(b1);
  ASSERT_EQ(b1->data.size(), 5u);
  for (const auto& c : b1->data) EXPECT_EQ(c.brand_id, "B1");
  EXPECT_EQ(b1->data.front().id, c1_ids.back());
  // Paging walks every row once.
  std::vector<std::string> seen;
  CallQuery q{.company_id = "C1", .limit = 2};
  for (;;) {
    auto p = calls->list(q);
    ASSERT_TRUE(p);
    for (const auto& c : p->data) seen.push_back(c.id);
    if (!p->next_cursor) break;
    q.cursor = p->next_cursor;
  }
  EXPECT_EQ(seen, std::vector<std::string>(c1_ids.rbegin(), c1_ids.rend()));
  auto failed = calls->list({.company_id = "C1", .result = "failed"});
  EXPECT_EQ(failed->data.size(), 3u);
  // Time range: the 2nd to 4th C1 calls.
  auto t1 = parse_rfc3339(b1->data[3].started_at).value();
  auto t3 = parse_rfc3339(b1->data[1].started_at).value();
  auto range = calls->list({.brand_id = "B1", .since = t1, .until = t3 + 1ms});
  ASSERT_TRUE(range);
  ASSERT_EQ(range->data.size(), 3u);
  EXPECT_EQ(range->data[0].id, b1->data[1].id);
  EXPECT_EQ(range->data[2].id, b1->data[3].id);
  auto other = calls->list({.brand_id = "B1", .filter_company_id = "C2"});
  EXPECT_TRUE(other->data.empty());
}

TEST(CallCsv, QuotesAndDefusesWhatASpreadsheetWouldRun) {
  Call c{.id = "I",
         .fax_id = "F",
         .direction = "inbound",
         .brand_id = "B",
         .company_id = "C",
         .from_number = "=HYPERLINK(\"http://x\")",
         .to_number = "+34910000001",
         .started_at = "2026-01-01T00:00:00.000Z",
         .duration_s = 12,
         .billable_s = 10,
         .pages = 1,
         .result = "received"};
  std::string out;
  append_call_csv(out, c);
  EXPECT_EQ(out,
            "I,F,inbound,B,C,,\"'=HYPERLINK(\"\"http://x\"\")\",+34910000001,,"
            "2026-01-01T00:00:00.000Z,,,12,10,,,1,received,\r\n");
  EXPECT_TRUE(std::string(call_csv_header()).starts_with("id,fax_id,direction,brand_id,"));
}

TEST_F(AccountingTest, RetentionWaitsForTheMailThenPurgesOnceKeepingTheRow) {
  auto f = faxes->create_inbound({.brand_id = "B1",
                                  .company_id = "C1",
                                  .virtual_fax_id = "V1",
                                  .from_number = "+441234",
                                  .to_number = "+34910000001",
                                  .document = "inbound/z.tiff"});
  ASSERT_TRUE(f);
  ASSERT_TRUE(faxes->finish(f->id, FaxStatus::received, {.pages = 1}, std::nullopt, "", true,
                            [&](Conn& c, const Fax& fax) {
                              MailOutboxRepo::enqueue_for_fax(c, fax.id, "fax_received",
                                                              clock.now());
                            }));
  ASSERT_TRUE(db->write([](Conn& c) { c.exec("UPDATE companies SET retention_days = 0"); }));
  RetentionRepo repo(*db);
  auto rules = repo.rules();
  ASSERT_EQ(rules->size(), 2u);
  auto due = repo.due("C1", clock.now(), 10);
  ASSERT_TRUE(due);
  EXPECT_TRUE(due->empty()) << "the mail still needs the document";
  MailOutboxRepo outbox(*db);
  auto mails = outbox.list_for_fax(f->id);
  ASSERT_EQ(mails->size(), 1u);
  ASSERT_TRUE(outbox.mark_sent((*mails)[0].id, clock.now()));
  due = repo.due("C1", clock.now(), 10);
  ASSERT_EQ(due->size(), 1u);
  auto marked = repo.mark_purged((*due)[0], clock.now());
  ASSERT_TRUE(marked);
  EXPECT_TRUE(marked->marked);
  EXPECT_TRUE(marked->remove_file);
  EXPECT_FALSE(repo.mark_purged((*due)[0], clock.now())->marked);
  auto after = faxes->find(f->id);
  ASSERT_TRUE(after && *after);
  EXPECT_FALSE((*after)->document);
  EXPECT_EQ((*after)->document_purged_at, format_rfc3339(clock.now()));
  EXPECT_EQ((*after)->status, FaxStatus::received);
}

TEST_F(AccountingTest, RetentionDaysCountFromCompletionAndSharedFilesStay) {
  ASSERT_TRUE(db->write([](Conn& c) { c.exec("UPDATE companies SET retention_days = 30"); }));
  Fax a = send();
  Fax b = send();  // same document path, as a broadcast shares one
  for (const auto& f : {a, b}) {
    ASSERT_TRUE(faxes->claim_due("n", clock.now() + 5min, 10));
    ASSERT_TRUE(faxes->finish(f.id, FaxStatus::failed, {}, FailureCode::busy, "busy"));
  }
  RetentionRepo repo(*db);
  clock.advance(24h * 29);
  EXPECT_TRUE(repo.due("C1", clock.now() - 24h * 30, 10)->empty());
  clock.advance(24h * 2);
  auto due = repo.due("C1", clock.now() - 24h * 30, 10);
  ASSERT_EQ(due->size(), 2u);
  auto first = repo.mark_purged((*due)[0], clock.now());
  EXPECT_TRUE(first->marked);
  EXPECT_FALSE(first->remove_file) << "the other fax still uses the file";
  auto second = repo.mark_purged((*due)[1], clock.now());
  EXPECT_TRUE(second->remove_file);
}

TEST(CallCsvPeriods, DayWeekAndMonthBoundariesInUtc) {
  const auto t = parse_rfc3339("2026-03-18T15:04:05Z").value();  // a Wednesday
  EXPECT_EQ(format_rfc3339(next_period_boundary("daily", t)), "2026-03-19T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(next_period_boundary("weekly", t)), "2026-03-23T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(next_period_boundary("monthly", t)), "2026-04-01T00:00:00.000Z");
  const auto dec = parse_rfc3339("2026-12-31T23:59:59Z").value();
  EXPECT_EQ(format_rfc3339(next_period_boundary("monthly", dec)), "2027-01-01T00:00:00.000Z");
  const auto monday = parse_rfc3339("2026-03-23T00:00:00Z").value();
  EXPECT_EQ(format_rfc3339(next_period_boundary("weekly", monday)), "2026-03-30T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(previous_period_boundary("monthly", next_period_boundary("monthly", t))),
            "2026-03-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(previous_period_boundary("weekly", monday)), "2026-03-16T00:00:00.000Z");
}

TEST_F(AccountingTest, ScheduleRunsOncePerPeriodThroughTheOutbox) {
  CallCsvScheduleRepo schedules(*db, clock);
  auto s = schedules.create({.brand_id = "B1",
                             .company_id = "C1",
                             .name = "daily c1",
                             .frequency = "daily",
                             .email = "billing@example.com"});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(*schedules.run_due(clock.now()), 0);
  clock.advance(25h);
  EXPECT_EQ(*schedules.run_due(clock.now()), 1);
  EXPECT_EQ(*schedules.run_due(clock.now()), 0) << "once per period";
  MailOutboxRepo outbox(*db);
  auto due = outbox.claim_due(clock.now(), 1min, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].kind, "call_csv");
  EXPECT_EQ((*due)[0].to_address, "billing@example.com");
  auto report = schedules.report_for_mail((*due)[0].id);
  ASSERT_TRUE(report && *report);
  EXPECT_EQ((*report)->company_id, "C1");
  EXPECT_EQ(*parse_rfc3339((*report)->until) - *parse_rfc3339((*report)->since), 24h);
  EXPECT_FALSE(schedules.create(
      {.brand_id = "B1", .company_id = "C2", .name = "x", .frequency = "daily", .email = "a@b.c"}))
      << "a company of another brand";
}

TEST_F(AccountingTest, AuditEventsListNewestFirstInScope) {
  AuditRepo audit(*db, clock);
  for (auto [brand, company] : {std::pair{"B1", "C1"}, {"B2", "C2"}, {"B1", ""}}) {
    clock.advance(1s);
    ASSERT_TRUE(audit.record(
        {.username = "u",
         .action = "update",
         .resource = "carriers",
         .brand_id = std::string(brand),
         .company_id = *company ? std::optional<std::string>(company) : std::nullopt}));
  }
  auto b1 = audit.list({.brand_id = "B1"});
  ASSERT_EQ(b1->data.size(), 2u);
  EXPECT_GT(b1->data[0].id, b1->data[1].id);
  auto c1 = audit.list({.company_id = "C1"});
  ASSERT_EQ(c1->data.size(), 1u);
  EXPECT_EQ(audit.list({})->data.size(), 3u);
}

TEST(IdFloor, SortsBeforeEveryIdOfThatMillisecondAndAfterEarlierOnes) {
  // Later than any id this process made yet (new_id never goes back in time).
  const auto t = SysTime{std::chrono::milliseconds{4'000'000'000'123}};
  const auto before = new_id(t - 1ms);
  const auto floor = id_floor(t);
  EXPECT_TRUE(is_valid_id(floor));
  EXPECT_GT(floor, before);
  EXPECT_LE(floor, new_id(t));
}

}  // namespace
