#pragma once
// The store a unit test runs on. Every test that needs a database opens it here, so the same
// test runs on each backend: SQLite in the test's temporary directory by default; a fresh
// schema of the throwaway PostgreSQL when FAXD_TEST_PG_URL_FILE names the file holding its URL
// (CTest runs each database-using test binary a second time that way, "pg." before the test
// names; see faxd_discover_tests_on_both_stores in tests/CMakeLists.txt).
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>

#include "faxd/store/db.hpp"
#include "temp_dir.hpp"

namespace faxd::test {

// The PostgreSQL URL the tests run against, or "" for SQLite.
inline std::string test_pg_url() {
  const char* file = std::getenv("FAXD_TEST_PG_URL_FILE");
  if (!file || !*file) return {};
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  EXPECT_FALSE(url.empty()) << "no PostgreSQL URL in " << file;
  return url;
}

inline store::Backend test_backend() {
  return test_pg_url().empty() ? store::Backend::sqlite : store::Backend::postgresql;
}

// Opens (and migrates) a new, empty store for one test. Fails the test on error. On PostgreSQL
// each call gets its own schema, named after the process and a counter.
inline std::unique_ptr<store::Db> open_test_db(const TempDir& dir, std::string schema = {}) {
  Result<std::unique_ptr<store::Db>> opened;
  if (const auto url = test_pg_url(); !url.empty()) {
    static std::atomic<int> counter{0};
    if (schema.empty()) schema = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    opened = store::Db::open_postgresql({.url = url, .connections = 4, .schema = schema});
  } else {
    opened =
        store::Db::open_sqlite({.path = dir.file(schema.empty() ? "faxd.db" : schema + ".db")});
  }
  EXPECT_TRUE(opened) << opened.error().message;
  return opened ? std::move(*opened) : nullptr;
}

}  // namespace faxd::test
