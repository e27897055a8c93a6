#include <gtest/gtest.h>

#include "faxd/common/secrets.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/user_repo.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

using namespace faxd;
using namespace std::chrono_literals;

namespace {

struct StoreTest : ::testing::Test {
  void SetUp() override {
    ASSERT_TRUE(init_crypto());
    db = test::open_test_db(dir, name);
    ASSERT_TRUE(db);
  }
  // The same database again (SQLite: the file; PostgreSQL: the schema).
  std::unique_ptr<store::Db> reopen() { return test::open_test_db(dir, name); }
  inline static int opened = 0;
  std::string name = "store" + std::to_string(++opened) + "_" + std::to_string(::getpid());
  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<store::Db> db;
};

TEST_F(StoreTest, MigratesToTheNewestSchemaAndPassesIntegrityCheck) {
  EXPECT_GE(db->schema_version(), 1);
  auto check = db->integrity_check();
  ASSERT_TRUE(check);
  EXPECT_EQ(*check, "ok");
}

TEST_F(StoreTest, ReopeningDoesNotReapplyMigrations) {
  const int v = db->schema_version();
  db.reset();
  auto again = reopen();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->schema_version(), v);
}

TEST_F(StoreTest, EveryEmbeddedMigrationIsRecordedOnce) {
  auto rows = db->read([](store::Conn& c) {
    auto& st = c.prepare("SELECT count(*), min(version) FROM schema_migrations");
    st.step();
    return std::pair{st.int32(0), st.int32(1)};
  });
  ASSERT_TRUE(rows);
  EXPECT_GE(rows->first, 1);
  EXPECT_EQ(rows->second, 1);
  // A migration recorded as missing (as when it landed after a higher-numbered one) is applied
  // on the next start.
  ASSERT_TRUE(db->write([](store::Conn& c) {
    c.exec("DELETE FROM schema_migrations WHERE version = 5");  // its indexes stay
  }));
  db.reset();
  auto opened_again = test::test_backend() == store::Backend::sqlite
                          ? store::Db::open_sqlite({.path = dir.file(name + ".db")})
                          : store::Db::open_postgresql(
                                {.url = test::test_pg_url(), .connections = 1, .schema = name});
  ASSERT_FALSE(opened_again) << "0005 re-applied onto existing indexes fails loudly, not silently";
}

TEST_F(StoreTest, WriteThatFailsRollsBackEverything) {
  auto r = db->write([](store::Conn& c) {
    c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES ('b1','A','t','t')");
    store::abort_tx(Errc::conflict, "changed my mind");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
  auto n = db->read([](store::Conn& c) {
    auto& st = c.prepare("SELECT count(*) FROM brands");
    st.step();
    return st.int32(0);
  });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
}

TEST_F(StoreTest, UniqueViolationIsAConflict) {
  auto insert = [&] {
    return db->write([](store::Conn& c) {
      c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES (?, 'Same', 't', 't')",
             std::string("id") + std::to_string(rand()));
    });
  };
  ASSERT_TRUE(insert());
  auto second = insert();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::conflict);
}

TEST_F(StoreTest, ReadersSeeCommittedWrites) {
  store::UserRepo users(*db, clock);
  // Warm every reader connection first, as a running daemon does, with a query that stops
  // after its first row (an unfinished statement must not pin an old snapshot).
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(users.count_with_role(store::Role::platform_admin));
  ASSERT_TRUE(users.create({.username = "alice",
                            .password_hash = hash_password("pw"),
                            .role = store::Role::platform_admin}));
  for (int i = 0; i < 8; ++i) {
    auto found = users.find_by_username("alice");
    ASSERT_TRUE(found);
    ASSERT_TRUE(found->has_value()) << "reader " << i << " does not see the new user";
    EXPECT_TRUE(verify_password((*found)->password_hash, "pw"));
  }
}

TEST_F(StoreTest, TokensAuthenticateUntilRevokedOrExpired) {
  store::UserRepo users(*db, clock);
  auto u = users.create({.username = "bob", .password_hash = "x", .role = store::Role::user});
  ASSERT_TRUE(u);
  auto t = users.issue_token(u->id, "session", "login", clock.now() + 1h);
  ASSERT_TRUE(t);
  auto who = users.authenticate_token(t->token);
  ASSERT_TRUE(who && *who);
  EXPECT_EQ((*who)->username, "bob");
  clock.advance(2h);
  who = users.authenticate_token(t->token);
  ASSERT_TRUE(who);
  EXPECT_FALSE(who->has_value()) << "an expired session must not authenticate";

  auto api = users.issue_token(u->id, "api", "ci", std::nullopt);
  ASSERT_TRUE(api);
  ASSERT_TRUE(users.revoke_token(api->token));
  who = users.authenticate_token(api->token);
  ASSERT_TRUE(who);
  EXPECT_FALSE(who->has_value());
}

}  // namespace
