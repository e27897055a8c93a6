// The fax list at scale: every list query walks an index in id order (no table scan, no sort
// of all matches), and the per-virtual-fax UNION ALL used for users returns exactly what one
// `IN (...)` query would, page by page.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>

#include "faxd/store/db.hpp"
#include "faxd/store/fax_list_query.hpp"
#include "faxd/store/fax_repo.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

using namespace faxd;
using namespace faxd::store;
using namespace std::chrono_literals;

namespace {

struct FaxListQueryTest : ::testing::Test {
  void SetUp() override {
    db = test::open_test_db(dir);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->write([](Conn& c) {
      c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES ('B1','b','t','t')");
      c.exec(
          "INSERT INTO companies (id, brand_id, name, created_at, updated_at) VALUES "
          "('C1','B1','c1','t','t')");
      for (auto v : {"V1", "V2", "V3"})
        c.exec(
            "INSERT INTO virtual_faxes (id, company_id, name, created_at, updated_at) VALUES "
            "(?, 'C1', ?, 't', 't')",
            v, v);
    }));
    repo = std::make_unique<FaxRepo>(*db, clock);
  }

  // The plan of the list query, one line each: SQLite's EXPLAIN QUERY PLAN details, or
  // PostgreSQL's EXPLAIN with sequential scans priced out (a table of a few rows would be read
  // whole anyway; what matters is that an index can serve the query when it is large).
  std::vector<std::string> plan(const FaxQuery& q) {
    const auto query = fax_list_sql(q);
    const bool pg = db->backend() == Backend::postgresql;
    auto lines = db->read([&](Conn& c) {
      if (pg) c.exec("SET LOCAL enable_seqscan = off");
      auto& st = c.prepare((pg ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + query.sql);
      for (std::size_t i = 0; i < query.args.size(); ++i)
        st.bind(static_cast<int>(i + 1), query.args[i]);
      std::vector<std::string> out;
      while (st.step()) out.push_back(st.text(pg ? 0 : 3));
      return out;
    });
    EXPECT_TRUE(lines) << lines.error().message;
    return lines.value_or(std::vector<std::string>{});
  }

  std::string receive(const std::string& vfax, const std::string& from) {
    clock.advance(1ms);
    auto f = repo->create_inbound({.brand_id = "B1",
                                   .company_id = "C1",
                                   .virtual_fax_id = vfax,
                                   .from_number = from,
                                   .to_number = "+34910000000",
                                   .document = "in.tiff"});
    EXPECT_TRUE(f) << f.error().message;
    return f->id;
  }

  std::vector<std::string> all_pages(FaxQuery q) {
    std::vector<std::string> ids;
    for (;;) {
      auto page = repo->list(q);
      EXPECT_TRUE(page) << page.error().message;
      for (const auto& f : page->data) ids.push_back(f.id);
      if (!page->next_cursor) return ids;
      q.cursor = page->next_cursor;
    }
  }

  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<Db> db;
  std::unique_ptr<FaxRepo> repo;
};

TEST_F(FaxListQueryTest, EveryScopeAndFilterSearchesAnIndexInIdOrder) {
  const std::vector<std::string> two = {"V1", "V2"};
  const std::vector<FaxQuery> queries = {
      {.scope = {.company_id = "C1"}},
      {.scope = {.company_id = "C1"},
       .direction = "inbound",
       .cursor = "01J0000000000000000000000Z"},
      {.scope = {.company_id = "C1"}, .direction = "inbound", .status = "receiving"},
      {.scope = {.company_id = "C1"}, .status = "failed", .cursor = "01J0000000000000000000000Z"},
      {.scope = {.brand_id = "B1"}, .status = "queued"},
      {.scope = {.brand_id = "B1"}, .direction = "outbound"},
      {.scope = {.virtual_fax_ids = std::vector<std::string>{"V1"}}},
      {.scope = {.virtual_fax_ids = std::vector<std::string>{"V1"}}, .status = "received"},
      {.scope = {.virtual_fax_ids = two}},
      {.scope = {.virtual_fax_ids = two}, .direction = "inbound", .status = "received"},
      {.scope = {.company_id = "C1"}, .virtual_fax_id = "V2"},
      {.scope = {.company_id = "C1"}, .direction = "inbound", .oldest_first = true},
      {.scope = {.brand_id = "B1"},
       .status = "failed",
       .cursor = "01J0000000000000000000000Z",
       .oldest_first = true},
      {.scope = {.virtual_fax_ids = two}, .oldest_first = true},
  };
  const bool pg = db->backend() == Backend::postgresql;
  for (const auto& q : queries) {
    const auto lines = plan(q);
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    const bool arms = q.scope.virtual_fax_ids && q.scope.virtual_fax_ids->size() > 1;
    if (pg) {
      EXPECT_EQ(text.find("Seq Scan on faxes"), std::string::npos) << "reads every fax:\n" << text;
      if (!arms) {
        EXPECT_EQ(text.find(" Sort "), std::string::npos) << "sorts every match:\n" << text;
      }
      EXPECT_NE(text.find("Index"), std::string::npos) << text;
      if (q.status) {
        EXPECT_NE(text.find("status = "), std::string::npos) << "status not indexed:\n" << text;
      }
      continue;
    }
    for (const auto& l : lines) {
      EXPECT_FALSE(l.starts_with("SCAN faxes")) << "reads every fax:\n" << text;
      // The UNION ALL merges at most arms x page rows; anything else must come out in order.
      if (!arms) {
        EXPECT_EQ(l.find("TEMP B-TREE"), std::string::npos) << "sorts every match:\n" << text;
      }
    }
    EXPECT_NE(text.find("SEARCH faxes USING"), std::string::npos) << text;
    if (q.status) {
      EXPECT_NE(text.find("status=?"), std::string::npos) << "status not indexed:\n" << text;
    }
  }
}

TEST_F(FaxListQueryTest, AUsersVirtualFaxesArePagedNewestFirstAcrossThemAll) {
  std::vector<std::string> mine;  // faxes of V1 and V3, interleaved with V2's
  for (int i = 0; i < 7; ++i) {
    mine.push_back(receive(i % 2 ? "V1" : "V3", "+1"));
    receive("V2", "+2");
  }
  std::reverse(mine.begin(), mine.end());
  const std::vector<std::string> scope = {"V1", "V3"};
  EXPECT_EQ(all_pages({.scope = {.virtual_fax_ids = scope}, .limit = 3}), mine);
  EXPECT_EQ(all_pages({.scope = {.virtual_fax_ids = scope}, .limit = 500}), mine);

  std::vector<std::string> v1;
  for (const auto& id : mine)
    if ((*repo->find(id))->virtual_fax_id == "V1") v1.push_back(id);
  EXPECT_EQ(all_pages({.scope = {.virtual_fax_ids = scope}, .virtual_fax_id = "V1", .limit = 2}),
            v1);
  EXPECT_TRUE(all_pages({.scope = {.virtual_fax_ids = scope}, .virtual_fax_id = "V2"}).empty())
      << "a virtual fax outside the user's scope shows nothing";
  EXPECT_TRUE(all_pages({.scope = {.virtual_fax_ids = scope}, .status = "received"}).empty());
  EXPECT_EQ(all_pages({.scope = {.virtual_fax_ids = scope}, .status = "receiving", .limit = 4}),
            mine);
}

TEST_F(FaxListQueryTest, OldestFirstPagesTheSameFaxesTheOtherWayRound) {
  std::vector<std::string> all;
  for (int i = 0; i < 7; ++i) all.push_back(receive(i % 3 ? "V1" : "V2", "+1"));
  std::vector<std::string> newest(all.rbegin(), all.rend());
  EXPECT_EQ(all_pages({.scope = {.company_id = "C1"}, .limit = 2}), newest);
  EXPECT_EQ(all_pages({.scope = {.company_id = "C1"}, .limit = 2, .oldest_first = true}), all);
  EXPECT_EQ(all_pages({.scope = {.virtual_fax_ids = std::vector<std::string>{"V1", "V2"}},
                       .limit = 3,
                       .oldest_first = true}),
            all)
      << "the per-virtual-fax arms merge oldest first too";
  std::vector<std::string> v2;
  for (const auto& id : all)
    if ((*repo->find(id))->virtual_fax_id == "V2") v2.push_back(id);
  EXPECT_EQ(
      all_pages(
          {.scope = {.brand_id = "B1"}, .virtual_fax_id = "V2", .limit = 1, .oldest_first = true}),
      v2);
  EXPECT_EQ(*repo->count({.scope = {.company_id = "C1"}, .oldest_first = true}, 100), 7);
}

TEST_F(FaxListQueryTest, ManyVirtualFaxesFallBackToOneQueryWithTheSameResult) {
  std::vector<std::string> scope = {"V1"};
  for (int i = 0; i < 80; ++i) scope.push_back(fmt::format("X{:02}", i));  // linked, but empty
  const auto a = receive("V1", "+1");
  const auto b = receive("V1", "+1");
  EXPECT_EQ(all_pages({.scope = {.virtual_fax_ids = scope}, .limit = 1}),
            (std::vector<std::string>{b, a}));
}

}  // namespace
