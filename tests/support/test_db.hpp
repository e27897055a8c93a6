#pragma once
// The store a unit test runs on. Every test that needs a database opens it here, so the same
// test runs on each backend: SQLite in the test's temporary directory by default; a fresh
// PostgreSQL schema when the test binary runs under the PostgreSQL fixture (see
// tests/unit/CMakeLists.txt and tests/support/pg_fixture).
#include <memory>

#include <gtest/gtest.h>

#include "faxd/store/db.hpp"
#include "temp_dir.hpp"

namespace faxd::test {

// Opens (and migrates) a new, empty store for one test. Fails the test on error.
inline std::unique_ptr<store::Db> open_test_db(const TempDir& dir) {
  auto opened = store::Db::open_sqlite({.path = dir.file("faxd.db")});
  EXPECT_TRUE(opened) << opened.error().message;
  return opened ? std::move(*opened) : nullptr;
}

}  // namespace faxd::test
