#pragma once
// The fixture of the API unit tests that go through the pure Router: a real store (SQLite, or
// the throwaway PostgreSQL: test_db.hpp) and spool in a temporary directory, the Api's routes and
// the fax routes on one Router, and requests dispatched as an HTTP client sends them.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "faxd/api/api.hpp"
#include "faxd/api/faxes.hpp"
#include "faxd/common/clock.hpp"
#include "faxd/common/secrets.hpp"
#include "faxd/config/config.hpp"
#include "faxd/document/document.hpp"
#include "faxd/http/router.hpp"
#include "faxd/jobs/spool.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/ddi_repo.hpp"
#include "faxd/store/fax_repo.hpp"
#include "faxd/store/user_repo.hpp"
#include "faxd/store/virtual_fax_repo.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

namespace faxd::test {

// One part of a multipart/form-data body: a field, or a file when `filename` is set.
struct FormPart {
  std::string name;
  std::string value;
  std::string filename = {};
  std::string type = "application/pdf";
};

inline std::string multipart_body(const std::string& boundary, const std::vector<FormPart>& parts) {
  std::string body;
  for (const auto& p : parts) {
    if (p.filename.empty())
      body += fmt::format("--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{}\r\n",
                          boundary, p.name, p.value);
    else
      body += fmt::format(
          "--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n"
          "Content-Type: {}\r\n\r\n{}\r\n",
          boundary, p.name, p.filename, p.type, p.value);
  }
  return body + "--" + boundary + "--\r\n";
}

class ApiFixture : public ::testing::Test {
 protected:
  explicit ApiFixture(document::ConvertOptions convert = {.max_bytes = 1 << 20})
      : convert_(std::move(convert)) {}

  void SetUp() override {
    ASSERT_TRUE(init_crypto());
    db = open_test_db(dir);
    ASSERT_TRUE(db);
    seed();
    if (HasFatalFailure()) return;
    users.emplace(*db, clock);
    faxes.emplace(*db, clock);
    vfaxes.emplace(*db, clock);
    ddis.emplace(*db, clock);
    spool.emplace(dir.file("spool"));
    ASSERT_TRUE(spool->prepare());
    api.emplace(api::Context{*db,
                             clock,
                             config,
                             *users,
                             [] { return true; },
                             {.free_failures_per_user = 3, .window = std::chrono::seconds(60)}});
    api->add_routes(router);
    deps.emplace(api::FaxApiDeps{.db = *db,
                                 .clock = clock,
                                 .faxes = *faxes,
                                 .vfaxes = *vfaxes,
                                 .ddis = *ddis,
                                 .spool = *spool,
                                 .max_upload_bytes = 1 << 20,
                                 .convert = convert_});
    api::add_fax_routes(router, *api, *deps);
  }

  // Rows the test wants in the store before the repositories and the Api are made.
  virtual void seed() {}

  // A user and a session token of theirs ("" when the user could not be made).
  std::string make_user(const std::string& name, store::Role role,
                        std::optional<std::string> brand = std::nullopt,
                        std::optional<std::string> company = std::nullopt) {
    auto u = users->create({.username = name,
                            .password_hash = hash_password("pass-" + name),
                            .role = role,
                            .brand_id = std::move(brand),
                            .company_id = std::move(company)});
    EXPECT_TRUE(u);
    if (!u) return {};
    return users->issue_token(u->id, "session", "t", std::nullopt)->token;
  }

  // `target` may carry a query; an empty `token` sends no Authorization, an empty `type` no
  // Content-Type. It comes from `remote_address` and carries `extra_headers` last.
  http::Response request(const std::string& method, const std::string& target,
                         const std::string& token, std::string body = {},
                         const std::string& type = {}, const http::Fields& headers = {}) {
    http::Request r;
    r.method = method;
    r.target = target;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = http::parse_query(target.substr(q + 1));
    if (!token.empty()) r.headers.emplace_back("Authorization", "Bearer " + token);
    if (!type.empty()) r.headers.emplace_back("Content-Type", type);
    for (const auto& h : headers) r.headers.push_back(h);
    for (const auto& h : extra_headers) r.headers.push_back(h);
    r.body = std::move(body);
    r.remote_address = remote_address;
    return router.dispatch(r);
  }

  // A JSON request (Content-Type: application/json) or, with a null body, one without a body.
  http::Response call(const std::string& method, const std::string& target,
                      const std::string& token, const nlohmann::json& body = nullptr,
                      const http::Fields& headers = {}) {
    if (body.is_null()) return request(method, target, token, {}, {}, headers);
    return request(method, target, token, body.dump(), "application/json", headers);
  }

  // call() that expects `status`; the parsed answer (null for an empty one).
  nlohmann::json ok(const std::string& method, const std::string& target, const std::string& token,
                    const nlohmann::json& body = nullptr, int status = 200) {
    auto res = call(method, target, token, body);
    EXPECT_EQ(res.status, status) << method << " " << target << ": " << res.body;
    return res.body.empty() ? nlohmann::json() : nlohmann::json::parse(res.body);
  }

  TempDir dir;
  ManualClock clock;
  config::Config config;
  std::unique_ptr<store::Db> db;
  std::optional<store::UserRepo> users;
  std::optional<store::FaxRepo> faxes;
  std::optional<store::VirtualFaxRepo> vfaxes;
  std::optional<store::DdiRepo> ddis;
  std::optional<jobs::Spool> spool;
  std::optional<api::Api> api;
  std::optional<api::FaxApiDeps> deps;
  http::Router router;
  // Where every request() comes from, and the headers each carries besides its own.
  std::string remote_address = "127.0.0.1";
  http::Fields extra_headers;

 private:
  document::ConvertOptions convert_;
};

}  // namespace faxd::test
