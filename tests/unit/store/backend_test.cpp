// What each store backend must guarantee for the repositories written once for both: the same
// SQL text, binary documents, and writes that behave as if alone when several threads (or, on
// PostgreSQL, several nodes) write at once.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "faxd/common/time.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/document_repo.hpp"
#include "faxd/store/fax_repo.hpp"
#include "faxd/store/store_copy.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

using namespace faxd;
using namespace faxd::store;
using namespace std::chrono_literals;

namespace {

struct BackendTest : ::testing::Test {
  void SetUp() override {
    db = test::open_test_db(dir);
    ASSERT_TRUE(db);
  }
  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<Db> db;
};

TEST_F(BackendTest, AQuestionMarkInsideALiteralIsNotAParameter) {
  auto r = db->read([](Conn& c) {
    auto& st = c.prepare("SELECT 'is it?' || CAST(? AS TEXT), 'it''s' -- a comment? no\n");
    st.bind(1, " yes");
    st.step();
    return std::pair{st.text(0), st.text(1)};
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->first, "is it? yes");
  EXPECT_EQ(r->second, "it's");
}

TEST_F(BackendTest, DocumentsKeepEveryByte) {
  DocumentRepo docs(*db);
  std::string bytes;
  for (int i = 0; i < 300000; ++i) bytes.push_back(static_cast<char>(i * 7 % 256));  // NULs too
  ASSERT_TRUE(docs.put("outbound/a.tiff", bytes, clock.now()));
  auto back = docs.get("outbound/a.tiff");
  ASSERT_TRUE(back && *back);
  EXPECT_EQ(**back, bytes);
  EXPECT_EQ(**docs.size("outbound/a.tiff"), 300000);
  ASSERT_TRUE(docs.put("outbound/a.tiff", std::string("II*\0short", 9), clock.now()));  // replaced
  EXPECT_EQ(**docs.size("outbound/a.tiff"), 9);
  ASSERT_TRUE(docs.remove("outbound/a.tiff"));
  EXPECT_FALSE(*docs.get("outbound/a.tiff"));
  EXPECT_FALSE(*docs.size("outbound/a.tiff"));
}

// Read-modify-write from several threads at once loses no update: on PostgreSQL the losers of a
// serialization race are run again.
TEST_F(BackendTest, ConcurrentReadModifyWritesLoseNothing) {
  ASSERT_TRUE(db->write([](Conn& c) {
    c.exec("INSERT INTO login_failures (key, failures, window_start) VALUES ('counter', 0, 't')");
  }));
  constexpr int kThreads = 4, kEach = 40;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = db->write([](Conn& c) {
          auto& st = c.prepare("SELECT failures FROM login_failures WHERE key = 'counter'");
          st.step();
          const auto n = st.int64(0);
          c.exec("UPDATE login_failures SET failures = ? WHERE key = 'counter'", n + 1);
        });
        if (!r) ++failed;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed, 0);
  auto n = db->read([](Conn& c) {
    auto& st = c.prepare("SELECT failures FROM login_failures WHERE key = 'counter'");
    st.step();
    return st.int64(0);
  });
  EXPECT_EQ(*n, kThreads * kEach);
}

// Two nodes (here: two connections' worth of threads) claiming the same queue take every fax
// exactly once between them.
TEST_F(BackendTest, NodesClaimingAtOnceTakeEachFaxOnce) {
  ASSERT_TRUE(db->write([](Conn& c) {
    c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES ('B1','b','t','t')");
    c.exec(
        "INSERT INTO companies (id, brand_id, name, created_at, updated_at) VALUES "
        "('C1','B1','c','t','t')");
    c.exec(
        "INSERT INTO virtual_faxes (id, company_id, name, created_at, updated_at) VALUES "
        "('V1','C1','v','t','t')");
  }));
  FaxRepo repo(*db, clock);
  constexpr int kFaxes = 60;
  for (int i = 0; i < kFaxes; ++i) {
    clock.advance(1ms);
    auto created = repo.create_outbound({.brand_id = "B1",
                                         .company_id = "C1",
                                         .virtual_fax_id = "V1",
                                         .to_number = "+34910000002",
                                         .pages_total = 1,
                                         .document = "d"});
    ASSERT_TRUE(created) << created.error().message;
  }
  std::mutex m;
  std::multiset<std::string> claimed;
  std::vector<std::thread> nodes;
  for (int n = 0; n < 3; ++n)
    nodes.emplace_back([&, n] {
      const std::string node = "node-" + std::to_string(n);
      for (int round = 0; round < 20; ++round) {
        auto got = repo.claim_due(node, clock.now() + 1min, 4);
        ASSERT_TRUE(got) << got.error().message;
        std::lock_guard lock(m);
        for (const auto& f : *got) claimed.insert(f.id);
      }
    });
  for (auto& t : nodes) t.join();
  EXPECT_EQ(claimed.size(), static_cast<std::size_t>(kFaxes));
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), claimed.size())
      << "a fax claimed twice would be sent twice";
}

// Events are read by cursor on every node: their sequence order is their commit order.
TEST_F(BackendTest, EventsBecomeVisibleInSequenceOrder) {
  ASSERT_TRUE(db->write([](Conn& c) {
    c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES ('B1','b','t','t')");
    c.exec(
        "INSERT INTO companies (id, brand_id, name, created_at, updated_at) VALUES "
        "('C1','B1','c','t','t')");
    c.exec(
        "INSERT INTO virtual_faxes (id, company_id, name, created_at, updated_at) VALUES "
        "('V1','C1','v','t','t')");
  }));
  FaxRepo repo(*db, clock);
  std::atomic<bool> done{false};
  std::atomic<int> out_of_order{0};
  std::thread reader([&] {
    std::int64_t cursor = 0;
    std::set<std::int64_t> seen;
    while (!done) {
      auto events = db->read([&](Conn& c) {
        std::vector<std::int64_t> seqs;
        auto& st = c.prepare("SELECT seq FROM events WHERE seq > ? ORDER BY seq");
        st.bind(1, cursor);
        while (st.step()) seqs.push_back(st.int64(0));
        return seqs;
      });
      if (!events) continue;
      for (auto s : *events) cursor = s;
      // Every seq at or below the cursor must be visible now: one that appears later was skipped.
      auto all = db->read([&](Conn& c) {
        auto& st = c.prepare("SELECT count(*) FROM events WHERE seq <= ?");
        st.bind(1, cursor);
        st.step();
        return st.int64(0);
      });
      if (all && static_cast<std::size_t>(*all) != seen.size() + events->size()) ++out_of_order;
      for (auto s : *events) seen.insert(s);
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w)
    writers.emplace_back([&] {
      for (int i = 0; i < 30; ++i)
        (void)repo.create_outbound({.brand_id = "B1",
                                    .company_id = "C1",
                                    .virtual_fax_id = "V1",
                                    .to_number = "+34910000002",
                                    .pages_total = 1,
                                    .document = "d"});
    });
  for (auto& t : writers) t.join();
  done = true;
  reader.join();
  EXPECT_EQ(out_of_order, 0) << "a reader's cursor passed an event not yet visible";
}

TEST_F(BackendTest, StoreUrlsNameTheBackendAndHidePasswords) {
  auto def = StoreUrl::parse("", "/var/lib/faxd");
  ASSERT_TRUE(def);
  EXPECT_EQ(def->backend, Backend::sqlite);
  EXPECT_EQ(def->target, "/var/lib/faxd/faxd.db");
  auto rel = StoreUrl::parse("sqlite:other.db", "/var/lib/faxd");
  EXPECT_EQ(rel->target, "/var/lib/faxd/other.db");
  auto pg = StoreUrl::parse("postgresql://faxd:s3cret@db1:5432/faxd", "/x");
  ASSERT_TRUE(pg);
  EXPECT_EQ(pg->backend, Backend::postgresql);
  EXPECT_EQ(StoreUrl::redact(pg->target), "postgresql://faxd:***@db1:5432/faxd");
  EXPECT_EQ(StoreUrl::redact("postgresql://db1/faxd?user=f&password=s3cret"),
            "postgresql://db1/faxd?user=f&password=***");
  auto bad = StoreUrl::parse("mysql://db1/faxd", "/x");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("postgresql://"), std::string::npos);
}

// An embedded install grows into a cluster: every row and every document arrives, with the
// ddis <-> virtual_faxes and companies <-> ddis cycles intact, and new events continue after the
// copied ones.
TEST_F(BackendTest, StoreCopyMovesEveryRowAndDocument) {
  auto source = Db::open_sqlite({.path = dir.file("source.db")});
  ASSERT_TRUE(source);
  const std::string brand = "B1", company = "C1";
  ASSERT_TRUE((*source)->write([&](Conn& c) {
    c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES ('B1','Brand','t','t')");
    c.exec(
        "INSERT INTO companies (id, brand_id, name, created_at, updated_at) VALUES "
        "('C1','B1','Clínica','t','t')");
    c.exec(
        "INSERT INTO ddis (id, brand_id, company_id, number, created_at, updated_at) VALUES "
        "('D1', 'B1', 'C1', '+34910000001', 't', 't')");
    c.exec(
        "INSERT INTO virtual_faxes (id, company_id, name, outgoing_ddi_id, created_at, "
        "updated_at) VALUES ('V1', 'C1', 'front desk', 'D1', 't', 't')");
    c.exec("UPDATE ddis SET virtual_fax_id = 'V1' WHERE id = 'D1'");
    // The companies <-> ddis cycle too: the company's default caller id is its own DDI.
    c.exec("UPDATE companies SET default_outgoing_ddi_id = 'D1', country = 'ES' WHERE id = 'C1'");
    // A user and its API token wait for the cycle (users -> companies) without being on it: the
    // token's NOT NULL user_id must arrive as it is, not be deferred.
    c.exec(
        "INSERT INTO users (id, username, password_hash, role, brand_id, company_id, created_at, "
        "updated_at) VALUES ('U1', 'desk', 'h', 'user', 'B1', 'C1', 't', 't')");
    c.exec(
        "INSERT INTO auth_tokens (id, user_id, kind, name, token_hash, created_at, updated_at) "
        "VALUES ('T1', 'U1', 'api', 'bench', 'hash1', 't', 't')");
  }));
  FaxRepo source_faxes(**source, clock);
  for (int i = 0; i < 3; ++i) {
    clock.advance(1ms);
    ASSERT_TRUE(
        source_faxes.create_outbound({.brand_id = brand,
                                      .company_id = company,
                                      .virtual_fax_id = "V1",
                                      .to_number = "+34910000002",
                                      .pages_total = 1,
                                      .document = "outbound/f" + std::to_string(i) + ".tiff"}));
  }
  int asked = 0;
  auto read_document = [&](const std::string& name) -> std::optional<std::string> {
    ++asked;
    if (name.ends_with(".pdf")) return std::nullopt;  // not made yet
    return "TIFF bytes of " + name;
  };
  auto report = copy_store(**source, *db, read_document, clock.now());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(asked, db->backend() == Backend::postgresql ? 6 : 0)
      << "documents go into PostgreSQL; an embedded store keeps its files";
  auto count = [&](const char* table) {
    return *db->read([&](Conn& c) {
      auto& st = c.prepare(std::string("SELECT count(*) FROM ") + table);
      st.step();
      return st.int64(0);
    });
  };
  EXPECT_EQ(count("faxes"), 3);
  EXPECT_EQ(count("events"), 3);
  EXPECT_EQ(count("companies"), 1);
  auto vfax_ddi = db->read([](Conn& c) {
    auto& st = c.prepare(
        "SELECT v.outgoing_ddi_id, d.virtual_fax_id FROM virtual_faxes v JOIN ddis d ON "
        "d.id = v.outgoing_ddi_id");
    st.step();
    return std::pair{st.text(0), st.text(1)};
  });
  EXPECT_EQ(*vfax_ddi, (std::pair<std::string, std::string>{"D1", "V1"}));
  auto caller_id = db->read([](Conn& c) {
    auto& st = c.prepare(
        "SELECT d.number, co.country FROM companies co JOIN ddis d ON "
        "d.id = co.default_outgoing_ddi_id");
    return st.step() ? st.text(0) + " " + st.text(1) : std::string();
  });
  EXPECT_EQ(*caller_id, "+34910000001 ES");
  auto token_owner = db->read([](Conn& c) {
    auto& st = c.prepare(
        "SELECT u.username FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = 'T1'");
    return st.step() ? st.text(0) : std::string();
  });
  EXPECT_EQ(*token_owner, "desk") << "the API token still belongs to its user";
  if (db->backend() == Backend::postgresql) {
    EXPECT_EQ(report->documents, 3);
    EXPECT_EQ(**DocumentRepo(*db).get("outbound/f1.tiff"), "TIFF bytes of outbound/f1.tiff");
  }
  // The copied events' numbers are not handed out again.
  FaxRepo faxes(*db, clock);
  auto created = faxes.create_outbound({.brand_id = brand,
                                        .company_id = company,
                                        .virtual_fax_id = "V1",
                                        .to_number = "+34910000003",
                                        .pages_total = 1,
                                        .document = "outbound/new.tiff"});
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(count("events"), 4);

  auto again = copy_store(**source, *db, read_document, clock.now());
  ASSERT_FALSE(again) << "a second copy into a store that holds data is refused";
  EXPECT_NE(again.error().message.find("not empty"), std::string::npos);
}

}  // namespace
