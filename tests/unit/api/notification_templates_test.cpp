// /notification-templates and the mail fields of brands and virtual faxes through the pure
// Router: who may write which template, what is refused and why, and a fake mailer for the
// test mail.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "faxd/api/api.hpp"
#include "faxd/api/notification_templates.hpp"
#include "faxd/common/secrets.hpp"
#include "faxd/config/config.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

using namespace faxd;
using nlohmann::json;

namespace {

class FakeMailer final : public mail::Mailer {
 public:
  bool enabled() const override { return true; }
  std::string sender() const override { return "Fax <fax@provider.example>"; }
  Result<void> send(const mail::Envelope& env, std::string_view message) override {
    sent.emplace_back(env, std::string(message));
    return {};
  }
  std::vector<std::pair<mail::Envelope, std::string>> sent;
};

struct TemplatesApi : ::testing::Test {
  void SetUp() override {
    ASSERT_TRUE(init_crypto());
    db = test::open_test_db(dir);
    ASSERT_TRUE(db);
    users.emplace(*db, clock);
    api.emplace(api::Context{*db, clock, config, *users});
    api->add_routes(router);
    deps.emplace(api::NotificationTemplateDeps{*db, clock, mailer});
    api::add_notification_template_routes(router, *api, *deps);
    admin = user("root", store::Role::platform_admin, {}, {});
    brand = ok("POST", "/api/v1/brands", admin, {{"name", "Telco"}, {"language", "es"}}, 201);
    other_brand = ok("POST", "/api/v1/brands", admin, {{"name", "Other"}}, 201);
    company = ok("POST", "/api/v1/companies", admin,
                 {{"brand_id", brand["id"]}, {"name", "Acme"}, {"language", "es"}}, 201);
    brand_admin = user("ba", store::Role::brand_admin, brand["id"], {});
    company_admin = user("ca", store::Role::company_admin, brand["id"], company["id"]);
  }

  std::string user(const std::string& name, store::Role role, std::optional<std::string> b,
                   std::optional<std::string> c) {
    auto u = users->create({.username = name,
                            .password_hash = hash_password("pass-" + name),
                            .role = role,
                            .brand_id = b,
                            .company_id = c});
    EXPECT_TRUE(u);
    return users->issue_token(u->id, "session", "t", std::nullopt)->token;
  }
  http::Response call(const std::string& method, const std::string& target,
                      const std::string& token, const json& body = nullptr) {
    http::Request r;
    r.method = method;
    r.target = r.path = target;
    r.headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.is_null()) r.body = body.dump();
    return router.dispatch(r);
  }
  json ok(const std::string& method, const std::string& target, const std::string& token,
          const json& body = nullptr, int status = 200) {
    auto res = call(method, target, token, body);
    EXPECT_EQ(res.status, status) << method << " " << target << ": " << res.body;
    return res.body.empty() ? json() : json::parse(res.body);
  }
  json error_of(const http::Response& r) { return json::parse(r.body)["error"]; }

  test::TempDir dir;
  ManualClock clock;
  config::Config config;
  std::unique_ptr<store::Db> db;
  std::optional<store::UserRepo> users;
  std::optional<api::Api> api;
  FakeMailer mailer;
  std::optional<api::NotificationTemplateDeps> deps;
  http::Router router;
  std::string admin, brand_admin, company_admin;
  json brand, other_brand, company;
};

const json kTemplate = {{"kind", "fax_received"},
                        {"language", "es"},
                        {"subject", "Fax de {from}"},
                        {"body_text", "{pages} páginas"}};

// kTemplate with some members changed or added.
json with(const json& extra) {
  json out = kTemplate;
  out.update(extra);
  return out;
}

}  // namespace

TEST_F(TemplatesApi, EachAdminWritesItsOwnAndSeesNothingElse) {
  EXPECT_EQ(brand["language"], "es");
  auto b = ok("POST", "/api/v1/notification-templates", brand_admin, kTemplate, 201);
  EXPECT_EQ(b["brand_id"], brand["id"]);
  EXPECT_TRUE(b["company_id"].is_null());
  EXPECT_TRUE(b["body_html"].is_null());
  auto c = ok("POST", "/api/v1/notification-templates", company_admin, kTemplate, 201);
  EXPECT_EQ(c["company_id"], company["id"]);
  // The brand's template is not the company admin's business: 404 like a missing one.
  const auto id = b["id"].get<std::string>();
  EXPECT_EQ(call("GET", "/api/v1/notification-templates/" + id, company_admin).status, 404);
  EXPECT_EQ(call("PATCH", "/api/v1/notification-templates/" + id, company_admin, {{"subject", "x"}})
                .status,
            404);
  auto listed = ok("GET", "/api/v1/notification-templates", company_admin);
  ASSERT_EQ(listed["data"].size(), 1u);
  EXPECT_EQ(listed["data"][0]["id"], c["id"]);
  EXPECT_EQ(ok("GET", "/api/v1/notification-templates", brand_admin)["data"].size(), 2u);
  // A company admin cannot write the brand's template, nor a brand admin another brand's.
  auto r = call("POST", "/api/v1/notification-templates", company_admin,
                with({{"company_id", nullptr}}));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_of(r)["field"], "company_id");
  r = call("POST", "/api/v1/notification-templates", brand_admin,
           with({{"brand_id", other_brand["id"]}}));
  EXPECT_EQ(error_of(r)["field"], "brand_id");
  // One per owner, kind and language.
  r = call("POST", "/api/v1/notification-templates", brand_admin, kTemplate);
  EXPECT_EQ(r.status, 409);
  auto user_token = user("u", store::Role::user, brand["id"], company["id"]);
  EXPECT_EQ(call("GET", "/api/v1/notification-templates", user_token).status, 403);
  ok("DELETE", "/api/v1/notification-templates/" + id, brand_admin, nullptr, 204);
}

TEST_F(TemplatesApi, RefusesUnknownVariablesAndBadFieldsNamingThem) {
  auto r = call("POST", "/api/v1/notification-templates", brand_admin,
                with({{"body_html", "<p>{fax_nmae}</p>"}}));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_of(r)["field"], "body_html");
  EXPECT_NE(error_of(r)["message"].template get<std::string>().find("{fax_nmae}"),
            std::string::npos);
  r = call("POST", "/api/v1/notification-templates", brand_admin, with({{"kind", "fax_lost"}}));
  EXPECT_EQ(error_of(r)["field"], "kind");
  r = call("POST", "/api/v1/notification-templates", brand_admin,
           with({{"from_address", "not an address"}}));
  EXPECT_EQ(error_of(r)["field"], "from_address");
  r = call("POST", "/api/v1/notification-templates", brand_admin,
           with({{"subject", "two\nlines"}}));
  EXPECT_EQ(error_of(r)["field"], "subject");
  // CSS braces are text, not variables.
  ok("POST", "/api/v1/notification-templates", brand_admin,
     with({{"body_html", "<style>p { margin: 0 }</style>{brand}"}}), 201);
}

TEST_F(TemplatesApi, PreviewFillsInSampleValuesAndTheTestMailIsSent) {
  auto p =
      ok("POST", "/api/v1/notification-templates/preview", company_admin,
         with({{"from_name", "Acme Fax"}, {"body_html", "<b>{company}</b> {brand} {pdf_name}"}}));
  EXPECT_EQ(p["from"], "Acme Fax <fax@provider.example>");
  EXPECT_EQ(p["subject"], "Fax de +34910000001");
  EXPECT_EQ(p["body_text"], "2 páginas");
  EXPECT_TRUE(p["body_html"].get<std::string>().starts_with("<b>Acme</b> Telco fax-"));
  EXPECT_TRUE(p["attachment"].get<std::string>().ends_with("-+34910000001.pdf"));
  auto sent = ok("POST", "/api/v1/notification-templates/test", company_admin,
                 with({{"to", "me@acme.example"}}));
  EXPECT_EQ(sent["sent"], true);
  ASSERT_EQ(mailer.sent.size(), 1u);
  EXPECT_EQ(mailer.sent[0].first.to, "me@acme.example");
  EXPECT_EQ(mailer.sent[0].first.from, "fax@provider.example");
  EXPECT_NE(mailer.sent[0].second.find("application/pdf"), std::string::npos);
  // Ten in ten minutes, then 429 with Retry-After.
  for (int i = 1; i < 10; ++i)
    ok("POST", "/api/v1/notification-templates/test", company_admin,
       with({{"to", "me@acme.example"}}));
  auto r = call("POST", "/api/v1/notification-templates/test", company_admin,
                with({{"to", "me@acme.example"}}));
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(std::any_of(r.headers.begin(), r.headers.end(),
                          [](const auto& h) { return h.first == "Retry-After"; }));
  EXPECT_EQ(mailer.sent.size(), 10u);
}

TEST_F(TemplatesApi, AVirtualFaxTakesSeveralAddressesAndMailSenders) {
  json body = {{"name", "Office"},
               {"email", " a@acme.example,B@acme.example , a@ACME.example"},
               {"send_by_email", true},
               {"mail_senders", {"Ana@Acme.example", "@acme.example", "@ACME.example"}},
               {"mail_cover", true}};
  auto v = ok("POST", "/api/v1/virtual-faxes", company_admin, body, 201);
  EXPECT_EQ(v["email"], "a@acme.example, B@acme.example");
  EXPECT_EQ(v["mail_senders"], json({"@acme.example", "ana@acme.example"}));
  EXPECT_EQ(v["mail_cover"], true);
  const auto path = "/api/v1/virtual-faxes/" + v["id"].get<std::string>();
  EXPECT_EQ(ok("GET", path, company_admin)["mail_senders"], v["mail_senders"]);
  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven += "u" + std::to_string(i) + "@acme.example,";
  auto r = call("PATCH", path, company_admin, {{"email", eleven}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_of(r)["message"], "email: at most 10 addresses");
  r = call("PATCH", path, company_admin, {{"email", "a@acme.example, nope"}});
  EXPECT_EQ(error_of(r)["message"], "email: nope is not an email address");
  r = call("PATCH", path, company_admin, {{"mail_senders", {"acme.example"}}});
  EXPECT_EQ(error_of(r)["field"], "mail_senders");
  auto patched = ok("PATCH", path, company_admin, {{"mail_senders", json::array()}});
  EXPECT_EQ(patched["mail_senders"], json::array());
  EXPECT_EQ(patched["email"], "a@acme.example, B@acme.example");  // untouched
}

TEST_F(TemplatesApi, ABrandAdminSetsItsBrandsMailLanguageButNotItsName) {
  const auto path = "/api/v1/brands/" + brand["id"].get<std::string>();
  EXPECT_EQ(ok("PATCH", path, brand_admin, {{"language", "pt-BR"}})["language"], "pt-BR");
  EXPECT_EQ(call("PATCH", path, brand_admin, {{"name", "Renamed"}}).status, 403);
  EXPECT_EQ(call("PATCH", path, brand_admin, {{"language", "español"}}).status, 422);
}
