#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "faxd/http/router.hpp"

using namespace faxd::http;

namespace {

Request make(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

TEST(Router, MatchesPlaceholdersAndPassesTheirValues) {
  Router router;
  router.add("GET", "/api/v1/faxes/{id}/pages/{n}/thumbnail", [](const Request&, const Params& p) {
    return Response::text(200, p.at("id") + "#" + p.at("n"));
  });
  auto res = router.dispatch(make("GET", "/api/v1/faxes/ABC/pages/2/thumbnail"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "ABC#2");
  EXPECT_EQ(router.route_label("GET", "/api/v1/faxes/X/pages/1/thumbnail"),
            "GET /api/v1/faxes/{id}/pages/{n}/thumbnail");
}

TEST(Router, UnknownPathIs404AndWrongMethodIs405InTheErrorShape) {
  Router router;
  router.add("GET", "/a", [](const Request&, const Params&) { return Response::text(200, "a"); });
  auto missing = router.dispatch(make("GET", "/b"));
  EXPECT_EQ(missing.status, 404);
  auto body = nlohmann::json::parse(missing.body);
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_EQ(router.dispatch(make("DELETE", "/a")).status, 405);
  EXPECT_EQ(router.dispatch(make("HEAD", "/a")).status, 200);
}

TEST(Router, BodyLimitComesFromTheRoute) {
  Router router;
  router.add("POST", "/up", [](const Request&, const Params&) { return Response::no_content(); },
             {.max_body_bytes = 5000});
  EXPECT_EQ(router.body_limit("POST", "/up"), 5000u);
  EXPECT_EQ(router.body_limit("POST", "/other"), 1u << 20);
}

TEST(Message, ErrorBodyHasTheApiShape) {
  auto r = Response::error(422, "invalid_field", "to: not an E.164 number", "to");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(
      nlohmann::json::parse(r.body),
      nlohmann::json::parse(
          R"({"error":{"code":"invalid_field","message":"to: not an E.164 number","field":"to"}})"));
}

TEST(Message, QueryAndCookiesAreDecoded) {
  auto q = parse_query("to=%2B34911&name=a+b&bad=%zz&flag");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].second, "+34911");
  EXPECT_EQ(q[1].second, "a b");
  EXPECT_EQ(q[2].first, "flag");
  Request r;
  r.headers = {{"cookie", "a=1; faxd_session=tok; b=2"}};
  EXPECT_EQ(r.cookie("faxd_session"), "tok");
  EXPECT_EQ(r.cookie("c"), "");
  EXPECT_EQ(r.header("COOKIE"), "a=1; faxd_session=tok; b=2");
  EXPECT_FALSE(url_decode("%4", false));
}

}  // namespace
