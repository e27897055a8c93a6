// Broadcasts, scheduled sends and cover templates in the store (migration 0025), on both backends.
#include <gtest/gtest.h>

#include "faxd/common/time.hpp"
#include "faxd/store/cover_template_repo.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/fax_repo.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

using namespace faxd;
using namespace faxd::store;
using namespace std::chrono_literals;

namespace {

struct SendOptionsTest : ::testing::Test {
  void SetUp() override {
    db = test::open_test_db(dir);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->write([](Conn& c) {
      c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES ('B1','b','t','t')");
      for (auto co : {"C1", "C2"})
        c.exec(
            "INSERT INTO companies (id, brand_id, name, created_at, updated_at) "
            "VALUES (?,'B1',?,'t','t')",
            co, co);
      c.exec(
          "INSERT INTO virtual_faxes (id, company_id, name, created_at, updated_at) VALUES "
          "('V1','C1','v1','t','t')");
    }));
    repo = std::make_unique<FaxRepo>(*db, clock);
  }

  NewOutboundFax fax(std::string to, std::string document,
                     std::optional<std::string> batch = std::nullopt,
                     std::optional<std::string> key = std::nullopt) {
    return {.brand_id = "B1",
            .company_id = "C1",
            .virtual_fax_id = "V1",
            .created_by = "U1",
            .from_number = "+34910000001",
            .to_number = std::move(to),
            .pages_total = 2,
            .idempotency_key = std::move(key),
            .document = std::move(document),
            .batch_id = std::move(batch)};
  }

  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<Db> db;
  std::unique_ptr<FaxRepo> repo;
};

TEST_F(SendOptionsTest, BroadcastIsStoredTogetherListedByBatchAndRetriedIdempotently) {
  const std::string batch = "01JBATCH000000000000000001";
  std::vector<NewOutboundFax> rows = {fax("+34910000002", "outbound/a.tiff", batch, "key-1"),
                                      fax("+34910000003", "outbound/a.tiff", batch, "key-1"),
                                      fax("+34910000004", "outbound/a.tiff", batch, "key-1")};
  auto made = repo->create_outbound_batch(rows);
  ASSERT_TRUE(made) << made.error().message;
  ASSERT_TRUE(made->second);
  ASSERT_EQ(made->first.size(), 3u);
  for (const auto& f : made->first) {
    EXPECT_EQ(f.batch_id, batch);
    EXPECT_EQ(f.status, FaxStatus::queued);
    EXPECT_FALSE(f.send_at);
  }
  // Only the first fax carries the key, so a retry finds the whole batch and writes nothing.
  auto again = repo->create_outbound_batch(rows);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(again->second);
  ASSERT_EQ(again->first.size(), 3u);
  EXPECT_EQ(again->first[2].id, made->first[2].id);

  auto listed = repo->batch(batch);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].to_number, "+34910000002");
  EXPECT_EQ((*listed)[2].to_number, "+34910000004");

  (void)repo->create_outbound(fax("+34910000009", "outbound/b.tiff"));  // not in the batch
  auto page = repo->list({.batch_id = batch});
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->data.size(), 3u);
  auto none = repo->list({.batch_id = "01JNOSUCHBATCH000000000000"});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->data.empty());

  // The shared document goes with the last fax that uses it.
  auto r1 = repo->remove(made->first[0].id);
  ASSERT_TRUE(r1);
  EXPECT_FALSE(*r1);
  auto r2 = repo->remove(made->first[1].id);
  ASSERT_TRUE(r2);
  EXPECT_FALSE(*r2);
  auto r3 = repo->remove(made->first[2].id);
  ASSERT_TRUE(r3);
  EXPECT_EQ(*r3, "outbound/a.tiff");
}

TEST_F(SendOptionsTest, ScheduledFaxIsDueAtItsTimeAndMovesOnlyWhileQueued) {
  auto n = fax("+34910000002", "outbound/s.tiff");
  const auto at = clock.now() + 1h;
  n.send_at = at;
  auto made = repo->create_outbound(n);
  ASSERT_TRUE(made) << made.error().message;
  const Fax f = made->first;
  EXPECT_EQ(f.send_at, format_rfc3339(at));
  EXPECT_EQ(f.next_attempt_at, format_rfc3339(at));
  auto claimed = repo->claim_due("node-a", clock.now() + 5min, 10);
  ASSERT_TRUE(claimed);
  EXPECT_TRUE(claimed->empty());  // not before its time

  auto moved = repo->reschedule(f.id, clock.now() + 2min);
  ASSERT_TRUE(moved) << moved.error().message;
  ASSERT_TRUE(*moved);
  EXPECT_EQ((*moved)->send_at, format_rfc3339(clock.now() + 2min));
  EXPECT_EQ((*moved)->next_attempt_at, format_rfc3339(clock.now() + 2min));
  auto due = repo->next_due();
  ASSERT_TRUE(due);
  ASSERT_TRUE(*due);
  EXPECT_EQ(format_rfc3339(**due), format_rfc3339(clock.now() + 2min));

  clock.advance(3min);
  claimed = repo->claim_due("node-a", clock.now() + 5min, 10);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 1u);
  auto late = repo->reschedule(f.id, clock.now() + 1h);  // sending now: unchanged
  ASSERT_TRUE(late);
  EXPECT_FALSE(*late);
}

TEST_F(SendOptionsTest, CoverTemplateIsOnePerCompanyAndReplacedWhole) {
  CoverTemplateRepo templates(*db, clock);
  auto none = templates.find("C1");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(*none);

  auto first = templates.put({.company_id = "C1",
                              .title = "FAX",
                              .company_name = "Clínica Norte",
                              .company_details = "Calle Mayor 1\nMadrid",
                              .footer = "Confidencial",
                              .logo_base64 = "iVBORw0KGgo="});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->company_details, "Calle Mayor 1\nMadrid");
  clock.advance(1s);
  auto second = templates.put({.company_id = "C1", .title = "Telefax"});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->title, "Telefax");
  EXPECT_EQ(second->company_name, "");
  EXPECT_FALSE(second->logo_base64);
  EXPECT_EQ(second->created_at, first->created_at);
  EXPECT_NE(second->updated_at, first->updated_at);

  auto other = templates.find("C2");
  ASSERT_TRUE(other);
  EXPECT_FALSE(*other);
  // A company's template goes with the company.
  ASSERT_TRUE(db->write([](Conn& c) {
    c.exec("DELETE FROM virtual_faxes WHERE company_id = 'C1'");
    c.exec("DELETE FROM companies WHERE id = 'C1'");
  }));
  auto gone = templates.find("C1");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
}

}  // namespace
