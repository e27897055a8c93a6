// Issue #17 through the pure Router: numbers as users write them on POST /faxes, the caller id
// rule, switched-off tenants, the new company/carrier/route fields and the route tester.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api_fixture.hpp"
#include "pdf_maker.hpp"

using namespace faxd;
using nlohmann::json;

namespace {

struct NumbersApiTest : test::ApiFixture {
  void SetUp() override {
    ApiFixture::SetUp();
    if (HasFatalFailure()) return;
    admin = make_user("root", store::Role::platform_admin, {}, {});
    brand = ok("POST", "/api/v1/brands", admin, {{"name", "Acme"}}, 201)["id"];
    company = ok("POST", "/api/v1/companies", admin,
                 {{"brand_id", brand}, {"name", "Office"}, {"country", "es"}}, 201)["id"];
    ddi = ok("POST", "/api/v1/ddis", admin,
             {{"brand_id", brand}, {"company_id", company}, {"number", "+34910000001"}}, 201)["id"];
    company_admin = make_user("office", store::Role::company_admin, brand, company);
    vfax = ok("POST", "/api/v1/virtual-faxes", company_admin, {{"name", "Front desk"}}, 201)["id"];
  }

  // POST /faxes with `fields` and a one-page PDF.
  http::Response send(const std::vector<std::pair<std::string, std::string>>& fields) {
    const std::string b = "numbersboundary17";
    std::vector<test::FormPart> parts;
    for (const auto& [k, v] : fields) parts.push_back({k, v});
    parts.push_back({"file", test::make_pdf({{612, 792}}), "a.pdf"});
    return request("POST", "/api/v1/faxes", company_admin, test::multipart_body(b, parts),
                   "multipart/form-data; boundary=" + b);
  }
  std::string str(const json& j) { return j.get<std::string>(); }
  void give_caller_id() {
    ok("PATCH", "/api/v1/companies/" + str(company), admin, {{"default_outgoing_ddi_id", ddi}});
  }

  std::string admin, company_admin;
  json brand, company, ddi, vfax;
};

TEST_F(NumbersApiTest, CompaniesCarryCountryDefaultDdiAndTheSwitch) {
  auto co = ok("GET", "/api/v1/companies/" + str(company), admin);
  EXPECT_EQ(co["country"], "ES") << "written in any case, kept in upper case";
  EXPECT_TRUE(co["default_outgoing_ddi_id"].is_null());
  EXPECT_EQ(co["enabled"], true);
  auto bad = call("PATCH", "/api/v1/companies/" + str(company), admin, {{"country", "Spain"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(json::parse(bad.body)["error"]["field"], "country");
  // Only the company's own DDIs can be its caller id.
  auto other =
      ok("POST", "/api/v1/companies", admin, {{"brand_id", brand}, {"name", "Other"}}, 201);
  auto foreign = call("PATCH", "/api/v1/companies/" + str(other["id"]), admin,
                      {{"default_outgoing_ddi_id", ddi}});
  EXPECT_EQ(foreign.status, 422);
  EXPECT_EQ(json::parse(foreign.body)["error"]["field"], "default_outgoing_ddi_id");
  give_caller_id();
  // A DDI in use as the default cannot be taken away or deleted without changing that first.
  EXPECT_EQ(call("DELETE", "/api/v1/ddis/" + str(ddi), admin).status, 409);
  auto b = ok("GET", "/api/v1/brands/" + str(brand), admin);
  EXPECT_EQ(b["enabled"], true);
}

TEST_F(NumbersApiTest, NationalNumbersAreStoredInE164) {
  give_caller_id();
  auto res = send({{"virtual_fax_id", str(vfax)}, {"to", "91 000 00 02"}});
  ASSERT_EQ(res.status, 202) << res.body;
  auto fax = json::parse(res.body);
  EXPECT_EQ(fax["to"], "+34910000002") << "the company's country (ES) reads a national number";
  EXPECT_EQ(fax["from"], "+34910000001") << "caller id: the company's default outgoing DDI";
  // Another country given with the request; E.164 whatever the country.
  EXPECT_EQ(
      json::parse(send({{"virtual_fax_id", str(vfax)}, {"to", "030 123456"}, {"country", "DE"}})
                      .body)["to"],
      "+4930123456");
  EXPECT_EQ(
      json::parse(send({{"virtual_fax_id", str(vfax)}, {"to", "+1 (212) 555-1234"}}).body)["to"],
      "+12125551234");
}

TEST_F(NumbersApiTest, ANumberThatCannotBeOfItsCountryIs422NamingTo) {
  give_caller_id();
  for (const auto* typed : {"12", "9100000021234", "+999123456", "fax me"}) {
    auto res = send({{"virtual_fax_id", str(vfax)}, {"to", typed}});
    EXPECT_EQ(res.status, 422) << typed;
    EXPECT_EQ(json::parse(res.body)["error"]["field"], "to") << res.body;
  }
  auto res = send({{"virtual_fax_id", str(vfax)}, {"to", "12"}});
  EXPECT_EQ(json::parse(res.body)["error"]["message"], "to: too short for a number of ES");
  auto country = send({{"virtual_fax_id", str(vfax)}, {"to", "910000002"}, {"country", "XX"}});
  EXPECT_EQ(country.status, 422);
  EXPECT_EQ(json::parse(country.body)["error"]["field"], "country");
  EXPECT_TRUE(faxes->list({})->data.empty()) << "nothing queued";
}

TEST_F(NumbersApiTest, WithoutAnyOutgoingDdiTheFaxIsRefused) {
  auto res = send({{"virtual_fax_id", str(vfax)}, {"to", "+34910000002"}});
  EXPECT_EQ(res.status, 422) << res.body;
  auto e = json::parse(res.body)["error"];
  EXPECT_EQ(e["field"], "virtual_fax_id");
  EXPECT_TRUE(str(e["message"]).starts_with("virtual_fax_id: no outgoing DDI")) << e;
  EXPECT_TRUE(faxes->list({})->data.empty());
  // The virtual fax's own DDI wins over the company default.
  auto own = ok("POST", "/api/v1/ddis", admin,
                {{"brand_id", brand}, {"company_id", company}, {"number", "+34910000009"}}, 201);
  ok("PATCH", "/api/v1/virtual-faxes/" + str(vfax), company_admin,
     {{"outgoing_ddi_id", own["id"]}});
  give_caller_id();
  auto sent = send({{"virtual_fax_id", str(vfax)}, {"to", "+34910000002"}});
  ASSERT_EQ(sent.status, 202) << sent.body;
  EXPECT_EQ(json::parse(sent.body)["from"], "+34910000009");
}

TEST_F(NumbersApiTest, SwitchedOffCompanyOrBrandCannotSendAndItsUsersSeeWhy) {
  give_caller_id();
  ok("PATCH", "/api/v1/companies/" + str(company), admin, {{"enabled", false}});
  auto res = send({{"virtual_fax_id", str(vfax)}, {"to", "+34910000002"}});
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(json::parse(res.body)["error"]["code"], "tenant_disabled");
  auto me = ok("GET", "/api/v1/me", company_admin);
  EXPECT_NE(str(me["disabled"]).find("Office is switched off"), std::string::npos) << me;
  EXPECT_EQ(me["disabled_by"], "company") << "for the UI's own words in the user's language";
  auto login =
      ok("POST", "/api/v1/login", "", {{"username", "office"}, {"password", "pass-office"}});
  EXPECT_FALSE(login["user"]["disabled"].is_null()) << "said at login";
  // Everything else is kept: the company, its virtual faxes and lists still answer.
  ok("GET", "/api/v1/virtual-faxes/" + str(vfax), company_admin);
  ok("GET", "/api/v1/faxes", company_admin);

  ok("PATCH", "/api/v1/companies/" + str(company), admin, {{"enabled", true}});
  EXPECT_TRUE(ok("GET", "/api/v1/me", company_admin)["disabled"].is_null());
  EXPECT_TRUE(ok("GET", "/api/v1/me", company_admin)["disabled_by"].is_null());
  ok("PATCH", "/api/v1/brands/" + str(brand), admin, {{"enabled", false}});
  EXPECT_EQ(send({{"virtual_fax_id", str(vfax)}, {"to", "+34910000002"}}).status, 403);
  EXPECT_EQ(ok("GET", "/api/v1/me", company_admin)["disabled_by"], "brand");
  // Only platform admins switch brands; brand admins switch their companies.
  auto ba = make_user("ba", store::Role::brand_admin, str(brand), {});
  EXPECT_EQ(call("PATCH", "/api/v1/brands/" + str(brand), ba, {{"enabled", true}}).status, 403);
  ok("PATCH", "/api/v1/companies/" + str(company), ba, {{"enabled", false}});
  EXPECT_EQ(
      call("PATCH", "/api/v1/companies/" + str(company), company_admin, {{"enabled", true}}).status,
      403);
}

TEST_F(NumbersApiTest, CarriersSayHowTheyWantNumbers) {
  auto k = ok("POST", "/api/v1/carriers", admin,
              {{"brand_id", brand}, {"name", "k"}, {"host", "sip.example"}}, 201);
  EXPECT_EQ(k["number_format"], "e164");
  EXPECT_EQ(k["dial_prefix"], "");
  EXPECT_TRUE(k["country"].is_null());
  const auto path = "/api/v1/carriers/" + str(k["id"]);
  // National numbers need the carrier's country: refused without one.
  auto national = call("PATCH", path, admin, {{"number_format", "national"}});
  EXPECT_EQ(national.status, 422);
  EXPECT_EQ(json::parse(national.body)["error"]["field"], "country");
  auto p = ok("PATCH", path, admin,
              {{"number_format", "national"}, {"country", "ES"}, {"dial_prefix", "1234#"}});
  EXPECT_EQ(p["number_format"], "national");
  EXPECT_EQ(p["country"], "ES");
  EXPECT_EQ(p["dial_prefix"], "1234#");
  EXPECT_EQ(call("PATCH", path, admin, {{"number_format", "local"}}).status, 422);
  EXPECT_EQ(call("PATCH", path, admin, {{"dial_prefix", "12 34"}}).status, 422);
  EXPECT_EQ(call("PATCH", path, admin, {{"country", nullptr}}).status, 422)
      << "still national: the country cannot go";
}

TEST_F(NumbersApiTest, RoutesBelongToTheBrandOrOneOfItsCompaniesAndNeedAPlus) {
  auto k = ok("POST", "/api/v1/carriers", admin,
              {{"brand_id", brand}, {"name", "k"}, {"host", "sip.example"}}, 201);
  auto bad = call("POST", "/api/v1/routes", admin,
                  {{"brand_id", brand}, {"carrier_id", k["id"]}, {"prefix", "0034"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(json::parse(bad.body)["error"]["field"], "prefix");
  auto r =
      ok("POST", "/api/v1/routes", admin,
         {{"brand_id", brand}, {"carrier_id", k["id"]}, {"prefix", "+34"}, {"company_id", company}},
         201);
  EXPECT_EQ(r["company_id"], company);
  // A company of another brand is refused like a missing one.
  auto b2 = ok("POST", "/api/v1/brands", admin, {{"name", "Other brand"}}, 201);
  auto c2 = ok("POST", "/api/v1/companies", admin, {{"brand_id", b2["id"]}, {"name", "X"}}, 201);
  auto foreign = call("PATCH", "/api/v1/routes/" + str(r["id"]), admin, {{"company_id", c2["id"]}});
  EXPECT_EQ(foreign.status, 422);
  EXPECT_EQ(json::parse(foreign.body)["error"]["field"], "company_id");
  auto brand_wide = ok("PATCH", "/api/v1/routes/" + str(r["id"]), admin, {{"company_id", nullptr}});
  EXPECT_TRUE(brand_wide["company_id"].is_null());
  // A company with its own routes is not deleted from under them.
  ok("PATCH", "/api/v1/routes/" + str(r["id"]), admin, {{"company_id", c2["id"]}}, 422);
  auto c3 = ok("POST", "/api/v1/companies", admin, {{"brand_id", brand}, {"name", "Y"}}, 201);
  ok("PATCH", "/api/v1/routes/" + str(r["id"]), admin, {{"company_id", c3["id"]}});
  auto held = call("DELETE", "/api/v1/companies/" + str(c3["id"]), admin);
  EXPECT_EQ(held.status, 409);
  EXPECT_NE(held.body.find("routes"), std::string::npos) << held.body;
}

TEST_F(NumbersApiTest, RouteTesterShowsWhichCarrierANumberWouldUse) {
  give_caller_id();
  auto national = ok("POST", "/api/v1/carriers", admin,
                     {{"brand_id", brand},
                      {"name", "Own ES"},
                      {"host", "es.example"},
                      {"number_format", "national"},
                      {"country", "ES"},
                      {"dial_prefix", "99#"}},
                     201);
  auto wide = ok("POST", "/api/v1/carriers", admin,
                 {{"brand_id", brand}, {"name", "Wide"}, {"host", "wide.example"}}, 201);
  ok("POST", "/api/v1/routes", admin,
     {{"brand_id", brand}, {"carrier_id", wide["id"]}, {"prefix", "+3491"}}, 201);
  ok("POST", "/api/v1/routes", admin,
     {{"brand_id", brand},
      {"company_id", company},
      {"carrier_id", national["id"]},
      {"prefix", "+34"}},
     201);
  auto ba = make_user("ba", store::Role::brand_admin, str(brand), {});
  auto plan = ok("GET", "/api/v1/routes/plan?to=910000002&company_id=" + str(company), ba);
  EXPECT_EQ(plan["to"], "+34910000002");
  EXPECT_EQ(plan["route_type"], "fax");
  EXPECT_TRUE(plan["disabled_by"].is_null());
  ASSERT_EQ(plan["data"].size(), 2u) << plan;
  EXPECT_EQ(plan["data"][0]["scope"], "company");
  EXPECT_EQ(plan["data"][0]["carrier"]["name"], "Own ES") << "the company's route comes first";
  EXPECT_EQ(plan["data"][0]["request_uri"], "sip:99%23910000002@es.example:5060");
  EXPECT_EQ(plan["data"][0]["from_user"], "910000001");
  EXPECT_EQ(plan["data"][0]["share"], 1.0);
  EXPECT_EQ(plan["data"][1]["scope"], "brand");
  EXPECT_EQ(plan["data"][1]["request_uri"], "sip:+34910000002@wide.example:5060");
  // Without a company: the brand's routes only; a number for no route: nothing.
  auto brand_only = ok("GET", "/api/v1/routes/plan?to=%2B34910000002", ba);
  ASSERT_EQ(brand_only["data"].size(), 1u);
  EXPECT_EQ(brand_only["data"][0]["carrier"]["name"], "Wide");
  auto none = ok("GET", "/api/v1/routes/plan?to=%2B4930123456", ba);
  EXPECT_TRUE(none["data"].empty());
  EXPECT_TRUE(none["route_type"].is_null());
  // Scope: a company admin has no business here; another brand's company is unknown.
  EXPECT_EQ(call("GET", "/api/v1/routes/plan?to=910000002", company_admin).status, 403);
  auto b2 = ok("POST", "/api/v1/brands", admin, {{"name", "Other brand"}}, 201);
  auto ba2 = make_user("ba2", store::Role::brand_admin, str(b2["id"]), {});
  auto out = call("GET", "/api/v1/routes/plan?to=910000002&company_id=" + str(company), ba2);
  EXPECT_EQ(out.status, 422);
  EXPECT_EQ(json::parse(out.body)["error"]["field"], "company_id");
  auto bad = call("GET", "/api/v1/routes/plan?to=12&company_id=" + str(company), ba);
  EXPECT_EQ(json::parse(bad.body)["error"]["field"], "to");
}

}  // namespace
