// /api/v1/webhooks through the router: create (secret generated and shown once, or given),
// validation, ownership (404 for other users), list paging, patch, delete.
#include <map>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "faxd/api/api.hpp"
#include "faxd/api/webhooks.hpp"
#include "faxd/mail/webhook_signature.hpp"
#include "faxd/store/event_feed.hpp"
#include "faxd/store/user_repo.hpp"
#include "faxd/store/webhook_repo.hpp"
#include "fixtures.hpp"

using namespace faxd;
using nlohmann::json;

namespace {

struct WebhooksApi : test::MailStore {
  void SetUp() override {
    MailStore::SetUp();
    users = std::make_unique<store::UserRepo>(*db, clock);
    hooks = std::make_unique<store::WebhookRepo>(*db);
    api = std::make_unique<api::Api>(api::Context{*db, clock, config, *users});
    api::add_webhook_routes(router, *api, *hooks, clock, targets);
    alice = token_for("UB");
    bob = token_for("UU");
  }
  std::string token_for(const std::string& user_id) {
    auto t = users->issue_token(user_id, "api", "test", std::nullopt);
    EXPECT_TRUE(t) << t.error().message;
    return t ? t->token : "";
  }
  http::Response call(const std::string& method, const std::string& path, const std::string& token,
                      const std::string& body = "") {
    http::Request r;
    r.method = method;
    const auto q = path.find('?');
    r.target = path;
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = http::parse_query(path.substr(q + 1));
    r.headers = {{"Authorization", "Bearer " + token}};
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    r.body = body;
    return router.dispatch(r);
  }

  config::Config config;
  // As an operator with a receiver on 127.0.0.1 would configure it; names under .example
  // resolve as the test says, everything else through the system resolver.
  mail::WebhookTargets targets{
      AddressSet({"127.0.0.1"}), [](const std::string& host) -> Result<std::vector<IpAddress>> {
        if (host == "internal.example")
          return std::vector<IpAddress>{boost::asio::ip::make_address("192.168.1.10")};
        if (host == "mixed.example")
          return std::vector<IpAddress>{boost::asio::ip::make_address("93.184.216.34"),
                                        boost::asio::ip::make_address("169.254.169.254")};
        if (host.ends_with(".example"))
          return std::vector<IpAddress>{boost::asio::ip::make_address("93.184.216.34")};
        return mail::system_resolver()(host);
      }};
  std::unique_ptr<store::UserRepo> users;
  std::unique_ptr<store::WebhookRepo> hooks;
  std::unique_ptr<api::Api> api;
  http::Router router;
  std::string alice, bob;
};

}  // namespace

TEST_F(WebhooksApi, CreatingWithoutASecretShowsTheGeneratedSecretOnce) {
  auto r =
      call("POST", "/api/v1/webhooks", alice,
           R"({"url": "http://127.0.0.1:9000/hook", "events": ["fax.received", "fax.failed"]})");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto created = json::parse(r.body);
  const auto secret = created["secret"].get<std::string>();
  EXPECT_TRUE(secret.starts_with("whsec_"));
  EXPECT_TRUE(mail::decode_webhook_secret(secret));
  EXPECT_EQ(created["events"], json({"fax.received", "fax.failed"}));
  const auto id = created["id"].get<std::string>();

  auto got = call("GET", "/api/v1/webhooks/" + id, alice);
  ASSERT_EQ(got.status, 200);
  EXPECT_FALSE(json::parse(got.body).contains("secret"));
  EXPECT_EQ(json::parse(got.body)["url"], "http://127.0.0.1:9000/hook");
  // The stored secret is the one shown.
  EXPECT_EQ((*hooks->find("UB", id))->secret, secret);
}

TEST_F(WebhooksApi, AGivenSecretIsKeptAndNeverReturned) {
  auto r = call(
      "POST", "/api/v1/webhooks", alice,
      R"({"url": "https://hooks.example.com/x", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_FALSE(json::parse(r.body).contains("secret"));
  EXPECT_EQ(json::parse(r.body)["events"], json::array());
}

TEST_F(WebhooksApi, RefusesBadUrlsSecretsAndEventTypesNamingTheField) {
  struct Case {
    const char* body;
    const char* field;
  } cases[] = {
      {R"({"url": "ftp://example.com/"})", "url"},
      {R"({"url": "not a url"})", "url"},
      {R"({})", "url"},
      {R"({"url": "http://a.example/", "secret": "short"})", "secret"},
      {R"({"url": "http://a.example/", "events": ["fax.exploded"]})", "events"},
      {R"({"url": "http://a.example/", "events": "fax.received"})", "events"},
  };
  for (const auto& c : cases) {
    auto r = call("POST", "/api/v1/webhooks", alice, c.body);
    EXPECT_EQ(r.status, 422) << c.body;
    EXPECT_EQ(json::parse(r.body)["error"]["field"], c.field) << c.body;
  }
}

TEST_F(WebhooksApi, OtherUsersSeeA404AndTheirOwnEmptyList) {
  auto r = call("POST", "/api/v1/webhooks", alice, R"({"url": "http://127.0.0.1:9000/hook"})");
  const auto id = json::parse(r.body)["id"].get<std::string>();
  EXPECT_EQ(call("GET", "/api/v1/webhooks/" + id, bob).status, 404);
  EXPECT_EQ(
      call("PATCH", "/api/v1/webhooks/" + id, bob, R"({"url": "http://evil.example/"})").status,
      404);
  EXPECT_EQ(call("DELETE", "/api/v1/webhooks/" + id, bob).status, 404);
  EXPECT_EQ(json::parse(call("GET", "/api/v1/webhooks", bob).body)["data"], json::array());
  EXPECT_EQ(call("GET", "/api/v1/webhooks", "fxd_wrong").status, 401);
}

TEST_F(WebhooksApi, ListsInPagesPatchesAndDeletes) {
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(call("POST", "/api/v1/webhooks", alice,
                   fmt::format(R"({{"url": "http://127.0.0.1:900{}/"}})", i))
                  .status,
              201);
  auto page1 = json::parse(call("GET", "/api/v1/webhooks?limit=2", alice).body);
  ASSERT_EQ(page1["data"].size(), 2u);
  ASSERT_TRUE(page1["next_cursor"].is_string());
  auto page2 = json::parse(
      call("GET", "/api/v1/webhooks?limit=2&cursor=" + page1["next_cursor"].get<std::string>(),
           alice)
          .body);
  ASSERT_EQ(page2["data"].size(), 1u);
  EXPECT_TRUE(page2["next_cursor"].is_null());

  const auto id = page2["data"][0]["id"].get<std::string>();
  auto patched = call("PATCH", "/api/v1/webhooks/" + id, alice, R"({"events": ["fax.delivered"]})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(json::parse(patched.body)["events"], json({"fax.delivered"}));
  EXPECT_EQ(json::parse(patched.body)["url"], "http://127.0.0.1:9002/");
  EXPECT_EQ(call("PATCH", "/api/v1/webhooks/" + id, alice, R"({"url": "ftp://x/"})").status, 422);
  EXPECT_EQ(call("DELETE", "/api/v1/webhooks/" + id, alice).status, 204);
  EXPECT_EQ(call("GET", "/api/v1/webhooks/" + id, alice).status, 404);
}

TEST_F(WebhooksApi, RecentDeliveriesSayWhatReachedTheReceiverAndOnlyToTheOwner) {
  auto r = call("POST", "/api/v1/webhooks", alice, R"({"url": "http://127.0.0.1:9000/hook"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const auto id = json::parse(r.body)["id"].get<std::string>();
  for (const char* fax : {"FA", "FB"}) {
    auto e = db->write([&](store::Conn& c) {
      store::EventFeed::append(c, {"fax.received", fax, "B1", "C1", "V1", json{{"id", fax}}.dump()},
                               clock.now());
    });
    ASSERT_TRUE(e) << e.error().message;
  }
  ASSERT_EQ(*hooks->fan_out(clock.now(), 100), 2);
  auto due = hooks->claim_due(clock.now(), std::chrono::seconds(60), 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 2u);
  ASSERT_TRUE(hooks->mark_delivered((*due)[0].id, 204, clock.now()));
  ASSERT_TRUE(hooks->reschedule((*due)[1].id, clock.now() + std::chrono::minutes(1), 500,
                                "HTTP 500", clock.now()));

  auto got = call("GET", "/api/v1/webhooks/" + id + "/deliveries", alice);
  ASSERT_EQ(got.status, 200) << got.body;
  const auto data = json::parse(got.body)["data"];
  ASSERT_EQ(data.size(), 2u);
  std::map<std::string, json> by_status;
  for (const auto& d : data) by_status[d["status"].get<std::string>()] = d;
  ASSERT_TRUE(by_status.contains("delivered") && by_status.contains("pending")) << got.body;
  EXPECT_EQ(by_status["delivered"]["last_status"], 204);
  EXPECT_TRUE(by_status["delivered"]["next_attempt_at"].is_null());
  EXPECT_EQ(by_status["pending"]["last_status"], 500);
  EXPECT_EQ(by_status["pending"]["last_error"], "HTTP 500");
  EXPECT_FALSE(by_status["pending"]["next_attempt_at"].is_null());
  EXPECT_EQ(by_status["pending"]["event_type"], "fax.received");
  EXPECT_FALSE(data[0].contains("body")) << "never the body (or the secret)";
  // Another user's webhook reads like a missing one.
  EXPECT_EQ(call("GET", "/api/v1/webhooks/" + id + "/deliveries", bob).status, 404);
}

TEST_F(WebhooksApi, InternalTargetsAreRefusedWhenSaved) {
  for (const char* url :
       {"http://127.0.0.2:9000/", "http://[::1]/", "http://2130706434/", "http://0x7f000002/",
        "http://[::ffff:127.0.0.2]/", "http://169.254.169.254/latest/", "http://10.1.2.3/",
        "http://172.16.0.1/", "http://[fd00::1]/", "http://[fe80::1]/", "http://224.0.0.1/",
        "http://0.0.0.0/", "http://100.64.0.1/", "http://internal.example/",
        "http://mixed.example/", "http://[64:ff9b::7f00:2]/"}) {
    auto r = call("POST", "/api/v1/webhooks", alice, json{{"url", url}}.dump());
    EXPECT_EQ(r.status, 422) << url << ": " << r.body;
    EXPECT_EQ(json::parse(r.body)["error"]["field"], "url") << url;
  }
  auto r = call("POST", "/api/v1/webhooks", alice, R"({"url": "http://hooks.example/x"})");
  EXPECT_EQ(r.status, 201) << r.body;
  // Changing a saved webhook to an internal target is refused the same way.
  const auto id = json::parse(r.body)["id"].get<std::string>();
  EXPECT_EQ(call("PATCH", "/api/v1/webhooks/" + id, alice, R"({"url": "http://10.0.0.1/"})").status,
            422);
  // The operator's allow-list lets one internal receiver through (127.0.0.1 here), however it
  // is written (localhost, 2130706433 and the IPv4-mapped form are checked by the integration
  // test, where 127.0.0.1 is not allowed).
  for (const char* url : {"http://[::ffff:127.0.0.1]:9/", "http://2130706433:9/"})
    EXPECT_EQ(call("POST", "/api/v1/webhooks", alice, json{{"url", url}}.dump()).status, 201)
        << url;
}
