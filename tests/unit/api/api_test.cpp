// The REST handlers through the pure Router: no sockets, a real store in a temporary directory,
// a manual clock.
#include "faxd/api/api.hpp"

#include <gtest/gtest.h>

#include <utility>

#include <nlohmann/json.hpp>

#include "api_fixture.hpp"
#include "faxd/store/tenant_repo.hpp"

using namespace faxd;
using nlohmann::json;

namespace {

struct ApiTest : test::ApiFixture {
  void SetUp() override {
    ApiFixture::SetUp();
    if (HasFatalFailure()) return;
    admin = make_user("root", store::Role::platform_admin, {}, {});
  }

  using ApiFixture::call;
  // call() from another address.
  http::Response call(const std::string& method, const std::string& target,
                      const std::string& token, const json& body, const std::string& addr) {
    const auto usual = std::exchange(remote_address, addr);
    auto res = ApiFixture::call(method, target, token, body);
    remote_address = usual;
    return res;
  }

  std::string admin;
};

TEST_F(ApiTest, OutOfScopeAnswersExactlyLikeMissing) {
  auto b1 = ok("POST", "/api/v1/brands", admin, {{"name", "One"}}, 201);
  auto b2 = ok("POST", "/api/v1/brands", admin, {{"name", "Two"}}, 201);
  auto k2 = ok("POST", "/api/v1/carriers", admin,
               {{"brand_id", b2["id"]}, {"name", "k"}, {"host", "h.example"}}, 201);
  auto brand_admin = make_user("ba", store::Role::brand_admin, b1["id"].get<std::string>(), {});
  auto theirs = call("GET", "/api/v1/carriers/" + k2["id"].get<std::string>(), brand_admin);
  auto missing = call("GET", "/api/v1/carriers/01ARZ3NDEKTSV4RRFFQ69G5FAV", brand_admin);
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(theirs.body, missing.body);
  auto del = call("DELETE", "/api/v1/carriers/" + k2["id"].get<std::string>(), brand_admin);
  EXPECT_EQ(del.status, 404);
  EXPECT_EQ(call("GET", "/api/v1/carriers/not-an-id", brand_admin).status, 404);
  ok("GET", "/api/v1/carriers/" + k2["id"].get<std::string>(), admin);  // still there
}

TEST_F(ApiTest, PatchChangesOnlyTheGivenFieldsAndKeepsTheSecret) {
  auto b = ok("POST", "/api/v1/brands", admin, {{"name", "One"}}, 201);
  auto k = ok("POST", "/api/v1/carriers", admin,
              {{"brand_id", b["id"]},
               {"name", "k"},
               {"host", "h.example"},
               {"username", "u"},
               {"password", "pw"},
               {"max_calls", 4},
               {"t38", false}},
              201);
  EXPECT_FALSE(k.contains("password"));
  clock.advance(std::chrono::seconds(5));
  auto p = ok("PATCH", "/api/v1/carriers/" + k["id"].get<std::string>(), admin, {{"port", 5080}});
  EXPECT_EQ(p["port"], 5080);
  for (const auto* f : {"name", "host", "username", "max_calls", "t38", "transport", "created_at"})
    EXPECT_EQ(p[f], k[f]) << f;
  EXPECT_EQ(p["has_password"], true);
  EXPECT_GT(p["updated_at"].get<std::string>(), k["updated_at"].get<std::string>());
  // Sending back the object read (with id and timestamps) is a valid PATCH.
  ok("PATCH", "/api/v1/carriers/" + k["id"].get<std::string>(), admin, p);
}

TEST_F(ApiTest, LoginThrottlesTheGuessingAddressNotTheRightUser) {
  auto login = [&](const std::string& pw, const std::string& addr = "10.1.1.1") {
    return call("POST", "/api/v1/login", "", {{"username", "root"}, {"password", pw}}, addr);
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login("wrong").status, 401);
  auto refused = login("wrong");
  EXPECT_EQ(refused.status, 429) << "the guessing address waits";
  EXPECT_NE(refused.body.find("too_many_attempts"), std::string::npos);
  EXPECT_EQ(login("pass-root", "10.9.9.9").status, 200)
      << "the right password from another address is not locked out";
  clock.advance(std::chrono::seconds(2));
  EXPECT_EQ(login("pass-root").status, 200) << "after the delay, the right password works";
  EXPECT_EQ(login("wrong").status, 401) << "success cleared the count";
}

TEST_F(ApiTest, ListsRefuseBadPagingAndPageThroughEverything) {
  for (int i = 0; i < 5; ++i) {
    ok("POST", "/api/v1/brands", admin, {{"name", "b" + std::to_string(i)}}, 201);
    clock.advance(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(call("GET", "/api/v1/brands?limit=0", admin).status, 422);
  EXPECT_EQ(call("GET", "/api/v1/brands?limit=abc", admin).status, 422);
  auto page1 = ok("GET", "/api/v1/brands?limit=3", admin);
  ASSERT_EQ(page1["data"].size(), 3u);
  auto page2 =
      ok("GET", "/api/v1/brands?limit=3&cursor=" + page1["next_cursor"].get<std::string>(), admin);
  ASSERT_EQ(page2["data"].size(), 2u);
  EXPECT_TRUE(page2["next_cursor"].is_null());
  EXPECT_EQ(page2["data"][1]["name"], "b4");
}

TEST_F(ApiTest, CompanyAdminDefaultsToItsCompanyAndCannotReachOthers) {
  auto b = ok("POST", "/api/v1/brands", admin, {{"name", "One"}}, 201);
  auto c1 = ok("POST", "/api/v1/companies", admin, {{"brand_id", b["id"]}, {"name", "A"}}, 201);
  auto c2 = ok("POST", "/api/v1/companies", admin, {{"brand_id", b["id"]}, {"name", "B"}}, 201);
  auto ca = make_user("ca", store::Role::company_admin, b["id"].get<std::string>(),
                      c1["id"].get<std::string>());
  auto v = ok("POST", "/api/v1/virtual-faxes", ca, {{"name", "Sales"}}, 201);
  EXPECT_EQ(v["company_id"], c1["id"]);
  auto other = call("POST", "/api/v1/virtual-faxes", ca, {{"name", "X"}, {"company_id", c2["id"]}});
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(json::parse(other.body)["error"]["field"], "company_id");
  EXPECT_EQ(call("POST", "/api/v1/brands", ca, {{"name", "Mine"}}).status, 403);
  auto listed = ok("GET", "/api/v1/companies", ca);
  ASSERT_EQ(listed["data"].size(), 1u);
  EXPECT_EQ(listed["data"][0]["id"], c1["id"]);
}

TEST_F(ApiTest, ListsNarrowToABrandOrCompanyButNeverBeyondTheScope) {
  auto b1 = ok("POST", "/api/v1/brands", admin, {{"name", "One"}}, 201);
  auto b2 = ok("POST", "/api/v1/brands", admin, {{"name", "Two"}}, 201);
  auto c1 = ok("POST", "/api/v1/companies", admin, {{"brand_id", b1["id"]}, {"name", "A"}}, 201);
  ok("POST", "/api/v1/companies", admin, {{"brand_id", b2["id"]}, {"name", "B"}}, 201);
  const auto id1 = b1["id"].get<std::string>();
  const auto id2 = b2["id"].get<std::string>();
  // The platform admin sees a brand's companies (what "delete its companies first" needs).
  auto of1 = ok("GET", "/api/v1/companies?brand_id=" + id1, admin);
  ASSERT_EQ(of1["data"].size(), 1u);
  EXPECT_EQ(of1["data"][0]["name"], "A");
  EXPECT_EQ(ok("GET", "/api/v1/companies", admin)["data"].size(), 2u);
  // A brand admin asking for another brand's companies gets none, as if there were none.
  auto ba = make_user("ba", store::Role::brand_admin, id1, {});
  EXPECT_EQ(ok("GET", "/api/v1/companies?brand_id=" + id2, ba)["data"].size(), 0u);
  // ... and a company's virtual faxes of its own brand.
  auto ca = make_user("ca", store::Role::company_admin, id1, c1["id"].get<std::string>());
  ok("POST", "/api/v1/virtual-faxes", ca, {{"name", "Sales"}}, 201);
  auto vf = ok("GET", "/api/v1/virtual-faxes?company_id=" + c1["id"].get<std::string>(), ba);
  ASSERT_EQ(vf["data"].size(), 1u);
  EXPECT_EQ(vf["data"][0]["name"], "Sales");
  auto bad = call("GET", "/api/v1/users?company_id=nope", admin);
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(json::parse(bad.body)["error"]["field"], "company_id");
}

TEST_F(ApiTest, UsersSetTheirOwnLanguageAndTimeZoneAndMeNamesTheCompanys) {
  auto b = ok("POST", "/api/v1/brands", admin, {{"name", "One"}}, 201);
  auto c = ok("POST", "/api/v1/companies", admin,
              {{"brand_id", b["id"]},
               {"name", "Clínica"},
               {"language", "es"},
               {"timezone", "Europe/Madrid"}},
              201);
  auto user =
      make_user("ana", store::Role::user, b["id"].get<std::string>(), c["id"].get<std::string>());
  auto me = ok("GET", "/api/v1/me", user);
  EXPECT_TRUE(me["language"].is_null());
  EXPECT_EQ(me["company"]["language"], "es");
  EXPECT_EQ(me["company"]["timezone"], "Europe/Madrid");
  const auto self = "/api/v1/users/" + me["id"].get<std::string>();
  auto saved = ok("PATCH", self, user, {{"language", "pt-BR"}, {"timezone", "America/Sao_Paulo"}});
  EXPECT_EQ(saved["language"], "pt-BR");
  me = ok("GET", "/api/v1/me", user);
  EXPECT_EQ(me["language"], "pt-BR");
  EXPECT_EQ(me["timezone"], "America/Sao_Paulo");
  auto bad = call("PATCH", self, user, {{"timezone", "Mars/Olympus"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(json::parse(bad.body)["error"]["field"], "timezone");
  EXPECT_EQ(call("PATCH", self, user, {{"language", "español"}}).status, 422);
  // null goes back to the company's.
  ok("PATCH", self, user, {{"language", nullptr}});
  EXPECT_TRUE(ok("GET", "/api/v1/me", user)["language"].is_null());
  EXPECT_TRUE(ok("GET", "/api/v1/me", admin)["company"].is_null());
}

TEST_F(ApiTest, ABrandLooksLikeItselfOnItsOwnHostName) {
  auto b = ok("POST", "/api/v1/brands", admin, {{"name", "Acme"}}, 201);
  auto other = ok("POST", "/api/v1/brands", admin, {{"name", "Other"}}, 201);
  const auto look = "/api/v1/brands/" + b["id"].get<std::string>() + "/look";
  const auto logo = std::string("data:image/png;base64,iVBORw0KGgo=");
  auto saved = ok("PUT", look, admin,
                  {{"product_name", "Acme Fax"},
                   {"logo", logo},
                   {"accent_color", "#8a1538"},
                   {"header_color", "#2b0a12"},
                   {"hosts", {"Fax.Acme.example", "acme.localhost"}}});
  EXPECT_EQ(saved["hosts"], json({"fax.acme.example", "acme.localhost"}));
  auto branding = [&](const std::string& host) {
    http::Request r;
    r.method = "GET";
    r.target = r.path = "/api/v1/branding";
    r.headers.emplace_back("Host", host);
    auto res = router.dispatch(r);
    EXPECT_EQ(res.status, 200);
    return json::parse(res.body);
  };
  auto seen = branding("FAX.acme.example:8443");
  EXPECT_EQ(seen["product_name"], "Acme Fax");
  EXPECT_EQ(seen["accent_color"], "#8a1538");
  EXPECT_EQ(seen["logo"], logo);
  EXPECT_EQ(branding("other.example")["product_name"], "") << "an unclaimed host looks like faxd";
  // Colours white text cannot be read on, scripts posing as logos and taken hosts are refused.
  auto light = call("PUT", look, admin, {{"accent_color", "#ffe600"}});
  EXPECT_EQ(light.status, 422);
  EXPECT_EQ(json::parse(light.body)["error"]["field"], "accent_color");
  EXPECT_EQ(call("PUT", look, admin, {{"logo", "javascript:alert(1)"}}).status, 422);
  auto taken = call("PUT", "/api/v1/brands/" + other["id"].get<std::string>() + "/look", admin,
                    {{"hosts", {"acme.localhost"}}});
  EXPECT_EQ(taken.status, 409);
  // Its brand admin may change it; another brand's admin sees no such brand.
  auto ba = make_user("ba", store::Role::brand_admin, b["id"].get<std::string>(), {});
  ok("PUT", look, ba, {{"product_name", "Acme"}});
  auto ob = make_user("ob", store::Role::brand_admin, other["id"].get<std::string>(), {});
  EXPECT_EQ(call("GET", look, ob).status, 404);
}

// Logs in over the API as a browser would, from `addr`; the session token, or "" on failure.
std::string login_as(ApiTest& t, const std::string& user, const std::string& pw,
                     const std::string& addr = "10.0.0.1") {
  auto res = t.call("POST", "/api/v1/login", "", {{"username", user}, {"password", pw}}, addr);
  if (res.status != 200) return "";
  return json::parse(res.body)["token"].get<std::string>();
}

TEST_F(ApiTest, LoginTakesOnlyJsonFromOurOwnPages) {
  http::Request r;
  r.method = "POST";
  r.path = r.target = "/api/v1/login";
  r.body = R"({"username":"root","password":"pass-root"})";
  r.remote_address = "10.0.0.1";
  r.headers = {{"Content-Type", "text/plain"}};
  EXPECT_EQ(router.dispatch(r).status, 415) << "a cross-site form can send text/plain";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  EXPECT_EQ(router.dispatch(r).status, 415);
  r.headers = {{"Content-Type", "application/json"},
               {"Host", "fax.example:8080"},
               {"Origin", "https://evil.example"}};
  EXPECT_EQ(router.dispatch(r).status, 403);
  r.headers = {{"Content-Type", "application/json"}, {"Sec-Fetch-Site", "cross-site"}};
  EXPECT_EQ(router.dispatch(r).status, 403);
  r.headers = {{"Content-Type", "application/json; charset=utf-8"},
               {"Host", "fax.example:8080"},
               {"Origin", "https://fax.example:8080"},
               {"Sec-Fetch-Site", "same-origin"}};
  EXPECT_EQ(router.dispatch(r).status, 200) << "the web UI's own login";
  r.headers = {{"Content-Type", "application/json"}};
  EXPECT_EQ(router.dispatch(r).status, 200) << "a script (no browser headers)";
}

TEST_F(ApiTest, PasswordChangeAsksForTheCurrentOneAndEndsTheOtherSessions) {
  auto b = ok("POST", "/api/v1/brands", admin, {{"name", "One"}}, 201);
  auto u = ok("POST", "/api/v1/users", admin,
              {{"username", "alice"},
               {"password", "violet lamp 7 harbour"},
               {"role", "brand_admin"},
               {"brand_id", b["id"]}},
              201);
  const auto laptop = login_as(*this, "alice", "violet lamp 7 harbour", "10.0.0.1");
  const auto phone = login_as(*this, "alice", "violet lamp 7 harbour", "10.0.0.2");
  ASSERT_FALSE(laptop.empty());
  ASSERT_FALSE(phone.empty());
  auto api_token =
      ok("POST", "/api/v1/tokens", laptop, {{"name", "script"}}, 201)["token"].get<std::string>();
  // Wrong current password, weak new ones, and the PATCH route for oneself are all refused.
  auto wrong = call("POST", "/api/v1/me/password", laptop,
                    {{"current_password", "nope"}, {"new_password", "copper kettle 42 sings"}});
  EXPECT_EQ(wrong.status, 422);
  EXPECT_NE(wrong.body.find("current_password"), std::string::npos);
  for (const char* weak : {"short", "password1234", "alice-is-here-1"}) {
    auto r = call("POST", "/api/v1/me/password", laptop,
                  {{"current_password", "violet lamp 7 harbour"}, {"new_password", weak}});
    EXPECT_EQ(r.status, 422) << weak;
    EXPECT_NE(r.body.find("new_password"), std::string::npos) << r.body;
  }
  EXPECT_EQ(call("PATCH", "/api/v1/users/" + u["id"].get<std::string>(), laptop,
                 {{"password", "copper kettle 42 sings"}})
                .status,
            403);
  EXPECT_EQ(call("POST", "/api/v1/me/password", laptop,
                 {{"current_password", "violet lamp 7 harbour"},
                  {"new_password", "copper kettle 42 sings"}})
                .status,
            204);
  EXPECT_EQ(call("GET", "/api/v1/me", laptop).status, 200) << "the asking session stays";
  EXPECT_EQ(call("GET", "/api/v1/me", phone).status, 401) << "the other session ended";
  EXPECT_EQ(call("GET", "/api/v1/me", api_token).status, 200) << "API tokens stay on a change";
  EXPECT_TRUE(login_as(*this, "alice", "violet lamp 7 harbour").empty());
  EXPECT_FALSE(login_as(*this, "alice", "copper kettle 42 sings").empty());
}

TEST_F(ApiTest, AdminResetEndsEverySessionAndApiToken) {
  auto b = ok("POST", "/api/v1/brands", admin, {{"name", "One"}}, 201);
  auto u = ok("POST", "/api/v1/users", admin,
              {{"username", "bob"},
               {"password", "violet lamp 7 harbour"},
               {"role", "brand_admin"},
               {"brand_id", b["id"]}},
              201);
  const auto session = login_as(*this, "bob", "violet lamp 7 harbour");
  auto api_token =
      ok("POST", "/api/v1/tokens", session, {{"name", "script"}}, 201)["token"].get<std::string>();
  const auto id = u["id"].get<std::string>();
  EXPECT_EQ(call("PATCH", "/api/v1/users/" + id, admin, {{"password", "password1234"}}).status, 422)
      << "resets meet the policy too";
  ok("PATCH", "/api/v1/users/" + id, admin, {{"password", "copper kettle 42 sings"}});
  EXPECT_EQ(call("GET", "/api/v1/me", session).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/me", api_token).status, 401);
  EXPECT_FALSE(login_as(*this, "bob", "copper kettle 42 sings").empty());
  // Creating a user with a weak password is refused with the reason.
  auto weak = call("POST", "/api/v1/users", admin,
                   {{"username", "carol"},
                    {"password", "carol-2024-x"},
                    {"role", "brand_admin"},
                    {"brand_id", b["id"]}});
  EXPECT_EQ(weak.status, 422);
  EXPECT_NE(weak.body.find("username"), std::string::npos) << weak.body;
}

TEST_F(ApiTest, UsersListAndEndTheirOwnSessionsOnly) {
  auto b = ok("POST", "/api/v1/brands", admin, {{"name", "One"}}, 201);
  for (const char* name : {"dora", "erin"})
    ok("POST", "/api/v1/users", admin,
       {{"username", name},
        {"password", "violet lamp 7 harbour"},
        {"role", "brand_admin"},
        {"brand_id", b["id"]}},
       201);
  extra_headers = {{"User-Agent", "Firefox/128"}};
  const auto a = login_as(*this, "dora", "violet lamp 7 harbour", "10.0.0.1");
  extra_headers.clear();
  const auto c = login_as(*this, "dora", "violet lamp 7 harbour", "10.0.0.2");
  const auto erin = login_as(*this, "erin", "violet lamp 7 harbour", "10.0.0.3");
  auto list = ok("GET", "/api/v1/me/sessions", c)["data"];
  ASSERT_EQ(list.size(), 2u);
  std::string other_id;
  for (const auto& x : list) {
    if (x["current"] == true) {
      EXPECT_EQ(x["address"], "10.0.0.2");
    } else {
      EXPECT_EQ(x["address"], "10.0.0.1");
      EXPECT_EQ(x["user_agent"], "Firefox/128");
      other_id = x["id"];
    }
    EXPECT_FALSE(x.contains("token"));
  }
  ASSERT_FALSE(other_id.empty());
  // Erin cannot end Dora's session: it answers like a missing one.
  EXPECT_EQ(call("DELETE", "/api/v1/me/sessions/" + other_id, erin).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/me", a).status, 200);
  ok("DELETE", "/api/v1/me/sessions/" + other_id, c, nullptr, 204);
  EXPECT_EQ(call("GET", "/api/v1/me", a).status, 401);
  EXPECT_EQ(ok("GET", "/api/v1/me/sessions", c)["data"].size(), 1u);
  // "Log out everywhere else".
  const auto d = login_as(*this, "dora", "violet lamp 7 harbour", "10.0.0.4");
  ok("DELETE", "/api/v1/me/sessions", c, nullptr, 204);
  EXPECT_EQ(call("GET", "/api/v1/me", d).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/me", c).status, 200);
}

TEST_F(ApiTest, IdleSessionsAndExpiredTokensStopWorking) {
  config.auth.session_idle_minutes = 30;
  config.auth.api_token_max_days = 90;
  const auto s = login_as(*this, "root", "pass-root");
  ASSERT_FALSE(s.empty());
  auto t = ok("POST", "/api/v1/tokens", s, {{"name", "ci"}}, 201);
  EXPECT_FALSE(t["expires_at"].is_null()) << "api_token_max_days gives every token an expiry";
  EXPECT_EQ(call("POST", "/api/v1/tokens", s,
                 {{"name", "forever"}, {"expires_at", "2999-01-01T00:00:00Z"}})
                .status,
            422);
  const auto token = t["token"].get<std::string>();
  clock.advance(std::chrono::minutes(20));
  EXPECT_EQ(call("GET", "/api/v1/me", s).status, 200) << "used within the idle timeout";
  clock.advance(std::chrono::minutes(31));
  EXPECT_EQ(call("GET", "/api/v1/me", s).status, 401) << "idle for 31 minutes";
  EXPECT_EQ(call("GET", "/api/v1/me", token).status, 200) << "API tokens have no idle timeout";
  clock.advance(std::chrono::hours(24 * 90));
  EXPECT_EQ(call("GET", "/api/v1/me", token).status, 401) << "expired after 90 days";
}

TEST_F(ApiTest, AnotherBrandsNumberAnswersLikeAnUnknownOneNotExists) {
  auto b1 = ok("POST", "/api/v1/brands", admin, {{"name", "One"}}, 201);
  auto b2 = ok("POST", "/api/v1/brands", admin, {{"name", "Two"}}, 201);
  ok("POST", "/api/v1/ddis", admin, {{"brand_id", b2["id"]}, {"number", "+15550001234"}}, 201);
  ok("POST", "/api/v1/ddis", admin, {{"brand_id", b1["id"]}, {"number", "+15550001235"}}, 201);
  auto ba = make_user("ba1", store::Role::brand_admin, b1["id"].get<std::string>(), {});
  auto theirs = call("POST", "/api/v1/ddis", ba, {{"number", "+15550001234"}});
  EXPECT_EQ(theirs.status, 404) << theirs.body;
  EXPECT_EQ(theirs.body.find("exists"), std::string::npos) << theirs.body;
  auto ours = call("POST", "/api/v1/ddis", ba, {{"number", "+15550001235"}});
  EXPECT_EQ(ours.status, 409) << "a number of one's own brand may be named";
}

}  // namespace
