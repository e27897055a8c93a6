// GET /calls (JSON and CSV), GET /audit-events and the audit hook, companies' retention_days,
// through the pure Router with a real store (issue #19).
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "api_fixture.hpp"
#include "faxd/api/api.hpp"
#include "faxd/store/fax_repo.hpp"

using namespace faxd;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Collects a streamed body.
struct CollectingWriter final : http::StreamWriter {
  bool write(std::string chunk) override {
    body += chunk;
    ++chunks;
    return true;
  }
  void close() override { closed_ = true; }
  bool closed() const override { return closed_; }
  void abort() override { aborted = true; }
  std::string body;
  int chunks = 0;
  bool closed_ = false;
  bool aborted = false;
};

// Requests come from 192.0.2.7 (the audit events record it).
struct AccountingApiTest : test::ApiFixture {
  AccountingApiTest() { remote_address = "192.0.2.7"; }

  void SetUp() override {
    ApiFixture::SetUp();
    if (HasFatalFailure()) return;
    admin = make_user("root", store::Role::platform_admin, {}, {});
    b1 = ok("POST", "/api/v1/brands", admin, {{"name", "One"}}, 201)["id"];
    b2 = ok("POST", "/api/v1/brands", admin, {{"name", "Two"}}, 201)["id"];
    c1 = ok("POST", "/api/v1/companies", admin, {{"brand_id", b1}, {"name", "A"}}, 201)["id"];
    c1b = ok("POST", "/api/v1/companies", admin, {{"brand_id", b1}, {"name", "B"}}, 201)["id"];
    c2 = ok("POST", "/api/v1/companies", admin, {{"brand_id", b2}, {"name", "C"}}, 201)["id"];
  }

  std::string streamed(const http::Response& res) {
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_TRUE(res.on_stream);
    if (!res.on_stream) return {};
    auto w = std::make_shared<CollectingWriter>();
    res.on_stream(w);
    EXPECT_TRUE(w->closed_);
    EXPECT_FALSE(w->aborted);
    return w->body;
  }

  // A call of `company` made through the fax repository as the queue makes them.
  std::string make_call(const std::string& brand, const std::string& company, int answered_after_s,
                        int fax_s) {
    auto vf = ok("POST", "/api/v1/virtual-faxes", admin,
                 {{"company_id", company}, {"name", "vf" + std::to_string(++n)}}, 201);
    auto f = faxes->create_outbound({.brand_id = brand,
                                     .company_id = company,
                                     .virtual_fax_id = vf["id"],
                                     .from_number = "+34910000001",
                                     .to_number = "+34910000002",
                                     .document = "outbound/x.tiff"});
    EXPECT_TRUE(f);
    EXPECT_TRUE(faxes->claim_due("n", clock.now() + 5min, 10));
    auto a = faxes->begin_attempt(f->first.id, std::nullopt, "k");
    clock.advance(std::chrono::seconds(answered_after_s));
    EXPECT_TRUE(faxes->attempt_answered(*a));
    clock.advance(std::chrono::seconds(fax_s));
    EXPECT_TRUE(faxes->end_attempt(*a, {.result = "delivered", .transport = "t38", .pages = 1}));
    clock.advance(1s);
    return *a;
  }

  std::string admin;
  json b1, b2, c1, c1b, c2;
  int n = 0;
};

TEST_F(AccountingApiTest, CarrierPasswordChangeIsAuditedWithoutThePassword) {
  auto ba1 = make_user("ba1", store::Role::brand_admin, b1.get<std::string>(), {});
  auto ba2 = make_user("ba2", store::Role::brand_admin, b2.get<std::string>(), {});
  auto k = ok("POST", "/api/v1/carriers", ba1,
              {{"name", "trunk"}, {"host", "sip.example"}, {"password", "first-Secret-1"}}, 201);
  const auto id = k["id"].get<std::string>();
  ok("PATCH", "/api/v1/carriers/" + id, ba1, {{"password", "second-Secret-2"}, {"port", 5080}});

  auto res = call("GET", "/api/v1/audit-events?resource=carriers", ba1);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body.find("Secret"), std::string::npos) << res.body;
  auto events = json::parse(res.body)["data"];
  ASSERT_EQ(events.size(), 2u);
  const auto& update = events[0];  // newest first
  EXPECT_EQ(update["action"], "update");
  EXPECT_EQ(update["resource"], "carriers");
  EXPECT_EQ(update["resource_id"], id);
  EXPECT_EQ(update["username"], "ba1");
  EXPECT_EQ(update["remote_address"], "192.0.2.7");
  EXPECT_EQ(update["changes"]["password"], json({{"changed", true}}));
  EXPECT_EQ(update["changes"]["port"], json({{"from", 5060}, {"to", 5080}}));
  EXPECT_FALSE(update["changes"].contains("name")) << "not named in the PATCH";
  EXPECT_EQ(events[1]["action"], "create");
  EXPECT_EQ(events[1]["changes"]["name"], json({{"to", "trunk"}}));
  EXPECT_EQ(events[1]["changes"]["password"], json({{"changed", true}}));
  // Nor is the secret anywhere in the store's audit table.
  auto raw = db->read([](store::Conn& c) {
    auto& st = c.prepare("SELECT count(*) FROM audit_events WHERE changes LIKE '%Secret%'");
    st.step();
    return st.int64(0);
  });
  EXPECT_EQ(*raw, 0);
  // Another brand's admin sees none of it; a plain user may not look at all.
  auto theirs = ok("GET", "/api/v1/audit-events", ba2);
  for (const auto& e : theirs["data"]) EXPECT_NE(e["resource_id"], id);
  auto u = make_user("u1", store::Role::user, b1.get<std::string>(), c1.get<std::string>());
  EXPECT_EQ(call("GET", "/api/v1/audit-events", u).status, 403);
}

TEST_F(AccountingApiTest, LoginsFailedLoginsTokensAndDeletesAreAudited) {
  make_user("ca", store::Role::company_admin, b1.get<std::string>(), c1.get<std::string>());
  EXPECT_EQ(call("POST", "/api/v1/login", "", {{"username", "ca"}, {"password", "nope"}}).status,
            401);
  auto login = ok("POST", "/api/v1/login", "", {{"username", "ca"}, {"password", "pass-ca"}});
  const auto token = login["token"].get<std::string>();
  auto created = ok("POST", "/api/v1/tokens", token, {{"name", "script"}}, 201);
  auto vf = ok("POST", "/api/v1/virtual-faxes", token, {{"name", "Sales"}}, 201);
  ok("DELETE", "/api/v1/virtual-faxes/" + vf["id"].get<std::string>(), token, nullptr, 204);

  auto res = call("GET", "/api/v1/audit-events", token);
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.body.find(created["token"].get<std::string>()), std::string::npos);
  auto events = json::parse(res.body)["data"];
  std::vector<std::string> actions;
  for (const auto& e : events)
    actions.push_back(e["action"].get<std::string>() + " " + e["resource"].get<std::string>());
  EXPECT_EQ(actions, (std::vector<std::string>{"delete virtual-faxes", "create virtual-faxes",
                                               "create tokens", "login session",
                                               "login_failed session", "create companies"}));
  EXPECT_EQ(events[0]["changes"]["name"], json({{"from", "Sales"}}));
  EXPECT_EQ(events[4]["changes"]["reason"], "wrong username or password");
  // The company's events are the company admin's; the other company of the brand sees none.
  auto other =
      make_user("cb", store::Role::company_admin, b1.get<std::string>(), c1b.get<std::string>());
  auto seen = ok("GET", "/api/v1/audit-events", other)["data"];
  ASSERT_EQ(seen.size(), 1u) << seen.dump();
  EXPECT_EQ(seen[0]["resource_id"], c1b) << "only the creation of its own company";
  auto filtered = ok("GET", "/api/v1/audit-events?action=login_failed", admin);
  ASSERT_EQ(filtered["data"].size(), 1u);
  EXPECT_EQ(filtered["data"][0]["username"], "ca");
}

TEST_F(AccountingApiTest, CallsListAndCsvHoldExactlyTheCallersScope) {
  const auto mine = make_call(b1, c1, 3, 40);
  const auto sibling = make_call(b1, c1b, 2, 20);
  const auto foreign = make_call(b2, c2, 1, 10);
  auto ca =
      make_user("ca", store::Role::company_admin, b1.get<std::string>(), c1.get<std::string>());
  auto ba2 = make_user("ba2", store::Role::brand_admin, b2.get<std::string>(), {});
  auto ba1 = make_user("ba1", store::Role::brand_admin, b1.get<std::string>(), {});

  auto listed = ok("GET", "/api/v1/calls", ca);
  ASSERT_EQ(listed["data"].size(), 1u);
  const auto& c = listed["data"][0];
  EXPECT_EQ(c["id"], mine);
  EXPECT_EQ(c["duration_s"], 43);
  EXPECT_EQ(c["billable_s"], 40);
  EXPECT_EQ(c["direction"], "outbound");
  for (const auto* f : {"fax_id", "brand_id", "company_id", "virtual_fax_id", "from", "to",
                        "carrier_id", "started_at", "answered_at", "ended_at", "transport",
                        "bit_rate", "pages", "result", "failure_code"})
    EXPECT_TRUE(c.contains(f)) << f;

  auto csv = streamed(call("GET", "/api/v1/calls?format=csv", ca));
  std::istringstream lines(csv);
  std::string line;
  std::vector<std::string> rows;
  while (std::getline(lines, line)) rows.push_back(line);
  ASSERT_EQ(rows.size(), 2u) << csv;
  EXPECT_TRUE(rows[0].starts_with("id,fax_id,direction,"));
  EXPECT_TRUE(rows[1].starts_with(mine + ","));
  EXPECT_NE(rows[1].find(",43,40,t38,"), std::string::npos) << rows[1];
  // Accept: text/csv asks for the same.
  auto by_accept = streamed(call("GET", "/api/v1/calls", ca, nullptr, {{"Accept", "text/csv"}}));
  EXPECT_EQ(by_accept, csv);

  auto brand_csv = streamed(call("GET", "/api/v1/calls?format=csv", ba1));
  EXPECT_NE(brand_csv.find(mine), std::string::npos);
  EXPECT_NE(brand_csv.find(sibling), std::string::npos);
  EXPECT_EQ(brand_csv.find(foreign), std::string::npos);
  auto other_brand = ok("GET", "/api/v1/calls", ba2);
  ASSERT_EQ(other_brand["data"].size(), 1u);
  EXPECT_EQ(other_brand["data"][0]["id"], foreign);
  // A brand admin naming another brand's company gets nothing, not an error that tells.
  EXPECT_TRUE(ok("GET", "/api/v1/calls?company_id=" + c2.get<std::string>(), ba1)["data"].empty());
  auto u = make_user("u", store::Role::user, b1.get<std::string>(), c1.get<std::string>());
  EXPECT_EQ(call("GET", "/api/v1/calls", u).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/calls?direction=sideways", ca).status, 422);
  EXPECT_EQ(call("GET", "/api/v1/calls?since=yesterday", ca).status, 422);
  EXPECT_EQ(ok("GET", "/api/v1/calls?result=failed", admin)["data"].size(), 0u);
}

TEST_F(AccountingApiTest, CsvStreamsInChunksAcrossPages) {
  for (int i = 0; i < 2100; ++i) {
    ASSERT_TRUE(db->write([&](store::Conn& c) {
      c.exec(
          "INSERT INTO calls (id, fax_id, direction, brand_id, company_id, started_at, result, "
          "created_at, updated_at) VALUES (?, 'F', 'inbound', ?, ?, 't', 'received', 't', 't')",
          "01J" + fmt::format("{:023d}", i), b1.get<std::string>(), c1.get<std::string>());
    }));
  }
  auto w = std::make_shared<CollectingWriter>();
  auto res = call("GET", "/api/v1/calls?format=csv", admin);
  ASSERT_TRUE(res.on_stream);
  res.on_stream(w);
  EXPECT_EQ(std::count(w->body.begin(), w->body.end(), '\n'), 2101);
  EXPECT_GE(w->chunks, 2);
}

TEST_F(AccountingApiTest, CompaniesCarryRetentionDays) {
  auto co = ok("GET", "/api/v1/companies/" + c1.get<std::string>(), admin);
  EXPECT_TRUE(co["retention_days"].is_null());
  auto changed =
      ok("PATCH", "/api/v1/companies/" + c1.get<std::string>(), admin, {{"retention_days", 0}});
  EXPECT_EQ(changed["retention_days"], 0);
  EXPECT_EQ(
      call("PATCH", "/api/v1/companies/" + c1.get<std::string>(), admin, {{"retention_days", -1}})
          .status,
      422);
  auto cleared = ok("PATCH", "/api/v1/companies/" + c1.get<std::string>(), admin,
                    {{"retention_days", nullptr}});
  EXPECT_TRUE(cleared["retention_days"].is_null());
  auto made = ok("POST", "/api/v1/companies", admin,
                 {{"brand_id", b1}, {"name", "R"}, {"retention_days", 90}}, 201);
  EXPECT_EQ(made["retention_days"], 90);
}

TEST_F(AccountingApiTest, CsvSchedulesBelongToTheirScope) {
  auto ca =
      make_user("ca", store::Role::company_admin, b1.get<std::string>(), c1.get<std::string>());
  auto ba2 = make_user("ba2", store::Role::brand_admin, b2.get<std::string>(), {});
  auto s =
      ok("POST", "/api/v1/call-csv-schedules", ca,
         {{"name", "monthly"}, {"frequency", "monthly"}, {"email", "billing@example.com"}}, 201);
  EXPECT_EQ(s["company_id"], c1);
  EXPECT_EQ(s["brand_id"], b1);
  EXPECT_TRUE(s["last_run_at"].is_null());
  EXPECT_EQ(call("POST", "/api/v1/call-csv-schedules", ca,
                 {{"name", "x"}, {"frequency", "hourly"}, {"email", "a@b.c"}})
                .status,
            422);
  EXPECT_EQ(call("GET", "/api/v1/call-csv-schedules/" + s["id"].get<std::string>(), ba2).status,
            404);
  EXPECT_EQ(ok("GET", "/api/v1/call-csv-schedules", ba2)["data"].size(), 0u);
  ok("PATCH", "/api/v1/call-csv-schedules/" + s["id"].get<std::string>(), ca,
     {{"frequency", "weekly"}});
  ok("DELETE", "/api/v1/call-csv-schedules/" + s["id"].get<std::string>(), ca, nullptr, 204);
}

}  // namespace
