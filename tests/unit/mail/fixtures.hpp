#pragma once
// Store fixtures for the mail and webhook tests: a temporary database with two brands, a
// company in each, virtual faxes, users of every role and faxes, written with plain SQL so the
// tests depend only on the schema.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "faxd/common/clock.hpp"
#include "faxd/common/secrets.hpp"
#include "faxd/store/db.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

namespace faxd::test {

struct MailStore : ::testing::Test {
  void SetUp() override {
    ASSERT_TRUE(init_crypto());
    db = test::open_test_db(dir);
    ASSERT_TRUE(db);
    auto r = db->write([](store::Conn& c) {
      const char* t = "2026-01-01T00:00:00.000Z";
      c.exec(
          "INSERT INTO brands (id, name, created_at, updated_at) VALUES ('B1', 'Brand one', ?, ?), "
          "('B2', 'Brand two', ?, ?)",
          t, t, t, t);
      c.exec(
          "INSERT INTO companies (id, brand_id, name, timezone, language, created_at, updated_at) "
          "VALUES ('C1', 'B1', 'Acme', 'Europe/Madrid', 'es', ?, ?), "
          "('C2', 'B2', 'Other', 'UTC', 'en', ?, ?)",
          t, t, t, t);
      c.exec(
          "INSERT INTO virtual_faxes (id, company_id, name, email, send_by_email, notify_sender, "
          "created_at, updated_at) VALUES "
          "('V1', 'C1', 'Recepción', 'office@acme.example', 1, 1, ?, ?), "
          "('V2', 'C1', 'Silent', 'silent@acme.example', 0, 0, ?, ?), "
          "('V3', 'C2', 'Other line', 'fax@other.example', 1, 0, ?, ?)",
          t, t, t, t, t, t);
      c.exec(
          "INSERT INTO users (id, username, password_hash, role, brand_id, company_id, created_at, "
          "updated_at) VALUES "
          "('UP', 'root', 'x', 'platform_admin', NULL, NULL, ?, ?), "
          "('UB', 'brand1', 'x', 'brand_admin', 'B1', NULL, ?, ?), "
          "('UC', 'company2', 'x', 'company_admin', 'B2', 'C2', ?, ?), "
          "('UU', 'clerk', 'x', 'user', 'B1', 'C1', ?, ?)",
          t, t, t, t, t, t, t, t);
      c.exec("INSERT INTO user_virtual_faxes VALUES ('UU', 'V2')");
    });
    ASSERT_TRUE(r) << r.error().message;
  }

  // An inbound fax received on `vfax` (of company/brand) at 2026-07-01T22:30:00Z.
  void add_fax(const std::string& id, const std::string& vfax, const std::string& company,
               const std::string& brand, const std::string& direction = "inbound",
               const std::string& status = "received") {
    auto r = db->write([&](store::Conn& c) {
      c.exec(
          "INSERT INTO faxes (id, direction, brand_id, company_id, virtual_fax_id, from_number, "
          "to_number, status, pages, pages_total, failure_code, failure_message, created_at, "
          "updated_at, completed_at) VALUES (?, ?, ?, ?, ?, '+34911234567', '+34930000001', ?, 3, "
          "3, ?, ?, '2026-07-01T22:29:00.000Z', '2026-07-01T22:30:00.000Z', "
          "'2026-07-01T22:30:00.000Z')",
          id, direction, brand, company, vfax, status,
          status == "failed" ? std::optional<std::string>("busy") : std::nullopt,
          status == "failed" ? std::optional<std::string>("the line was busy") : std::nullopt);
    });
    ASSERT_TRUE(r) << r.error().message;
  }

  TempDir dir;
  ManualClock clock{SysTime{std::chrono::seconds{1'782'945'000}}};  // 2026-07-01T22:30:00Z
  std::unique_ptr<store::Db> db;
};

}  // namespace faxd::test
