// POST /api/v1/faxes with several numbers, a cover page and a send time; PATCH send_at; cancel
// of a batch; the strict field list. Through the pure Router on a real store and spool.
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api_fixture.hpp"
#include "faxd/common/time.hpp"
#include "pdf_maker.hpp"

using namespace faxd;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct FaxSendTest : test::ApiFixture {
  FaxSendTest() : ApiFixture({.max_bytes = 1 << 20, .isolate = false}) {}

  void seed() override {
    ASSERT_TRUE(db->write([](store::Conn& c) {
      c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES (?,'b','t','t')",
             kBrand);
      c.exec(
          "INSERT INTO companies (id, brand_id, name, timezone, language, created_at, updated_at) "
          "VALUES (?,?,'Clínica Norte','Europe/Madrid','es','t','t')",
          kCompany, kBrand);
      // The company's number, its default caller id (issue #17: no fax without one).
      c.exec(
          "INSERT INTO ddis (id, brand_id, company_id, number, created_at, updated_at) "
          "VALUES (?,?,?,'+34910000001','t','t')",
          kDdi, kBrand, kCompany);
      c.exec("UPDATE companies SET default_outgoing_ddi_id = ? WHERE id = ?", kDdi, kCompany);
      c.exec(
          "INSERT INTO virtual_faxes (id, company_id, name, header, created_at, updated_at) "
          "VALUES (?,?,'Recepción','Clínica Nº 5','t','t')",
          kVfax, kCompany);
    }));
  }

  void SetUp() override {
    ApiFixture::SetUp();
    if (HasFatalFailure()) return;
    token = make_user("root", store::Role::platform_admin);
    ASSERT_FALSE(token.empty());
  }

  http::Response request(const std::string& method, const std::string& path, std::string body,
                         const std::string& type, const std::string& key = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
    return ApiFixture::request(method, path, token, std::move(body), type, headers);
  }

  http::Response send(const Fields& fields, int pages = 1, const std::string& key = "",
                      const std::string& path = "/api/v1/faxes") {
    const std::string b = "sendboundary42";
    std::vector<test::FormPart> parts;
    for (const auto& [k, v] : fields) parts.push_back({k, v});
    parts.push_back(
        {"file",
         test::make_pdf(std::vector<std::pair<double, double>>(std::size_t(pages), {595, 842}),
                        test::PdfText::page_numbers),
         "a.pdf"});
    return request("POST", path, test::multipart_body(b, parts),
                   "multipart/form-data; boundary=" + b, key);
  }

  std::size_t documents() {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.file("spool") + "/outbound"))
      n += e.path().extension() == ".tiff";
    return n;
  }

  static constexpr const char* kBrand = "01JBRAND000000000000000000";
  static constexpr const char* kCompany = "01JCOMPANY0000000000000000";
  static constexpr const char* kVfax = "01JVFAX0000000000000000000";
  static constexpr const char* kDdi = "01JDD10000000000000000000A";
  std::string token;
};

}  // namespace

TEST_F(FaxSendTest, OneNumberAnswersTheFaxAsBefore) {
  auto res = send({{"virtual_fax_id", kVfax}, {"to", "+34910000002"}});
  ASSERT_EQ(res.status, 202) << res.body;
  const auto fax = json::parse(res.body);
  EXPECT_EQ(fax["to"], "+34910000002");
  EXPECT_TRUE(fax["batch_id"].is_null());
  EXPECT_TRUE(fax["send_at"].is_null());
  EXPECT_EQ(fax["pages_total"], 1);
}

TEST_F(FaxSendTest, BroadcastMakesOneFaxPerNumberSharingOneDocument) {
  auto res = send({{"virtual_fax_id", kVfax},
                   {"to", "+34910000002"},
                   {"to", "+34910000003"},
                   {"to", "+34910000004"}},
                  2, "key-1");
  ASSERT_EQ(res.status, 202) << res.body;
  const auto body = json::parse(res.body);
  const std::string batch = body["batch_id"];
  ASSERT_EQ(body["data"].size(), 3u);
  std::vector<std::string> to;
  for (const auto& f : body["data"]) {
    EXPECT_EQ(f["batch_id"], batch);
    EXPECT_EQ(f["status"], "queued");
    EXPECT_EQ(f["pages_total"], 2);
    to.push_back(f["to"]);
  }
  EXPECT_EQ(to, (std::vector<std::string>{"+34910000002", "+34910000003", "+34910000004"}));
  EXPECT_EQ(documents(), 1u) << "converted once, one document shared";

  // Listed by batch; a retried request answers the same batch without a second conversion.
  auto listed = json::parse(request("GET", "/api/v1/faxes?batch_id=" + batch, "", "").body);
  EXPECT_EQ(listed["data"].size(), 3u);
  auto again = send({{"virtual_fax_id", kVfax},
                     {"to", "+34910000002"},
                     {"to", "+34910000003"},
                     {"to", "+34910000004"}},
                    2, "key-1");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["batch_id"], batch);
  EXPECT_EQ(documents(), 1u);

  // Deleting faxes keeps the shared document until the last one goes.
  const std::string first = body["data"][0]["id"], second = body["data"][1]["id"],
                    third = body["data"][2]["id"];
  EXPECT_EQ(request("POST", "/api/v1/faxes/" + first + "/cancel", "", "").status, 202);
  EXPECT_EQ(request("DELETE", "/api/v1/faxes/" + first, "", "").status, 204);
  EXPECT_EQ(documents(), 1u);

  // Cancel of the whole batch: the rest end canceled.
  auto canceled = request("POST", "/api/v1/faxes/batches/" + batch + "/cancel", "", "");
  ASSERT_EQ(canceled.status, 202) << canceled.body;
  const auto after = json::parse(canceled.body);  // a range-for over a temporary's member dangles
  for (const auto& f : after["data"]) EXPECT_EQ(f["status"], "canceled");
  EXPECT_EQ(request("DELETE", "/api/v1/faxes/" + second, "", "").status, 204);
  EXPECT_EQ(request("DELETE", "/api/v1/faxes/" + third, "", "").status, 204);
  EXPECT_EQ(documents(), 0u);
  EXPECT_EQ(
      request("POST", "/api/v1/faxes/batches/01JNOSUCHBATCH000000000000/cancel", "", "").status,
      404);
}

// Each number of a broadcast is read like a single one (issue #17): as typed, national numbers
// of `country`, stored in E.164; the same number written twice ways is still given twice.
TEST_F(FaxSendTest, BroadcastNumbersAreReadWithTheCountryAndStoredInE164) {
  auto res = send({{"virtual_fax_id", kVfax},
                   {"country", "ES"},
                   {"to", "910 000 002"},
                   {"to", "+34 910 00 00 03"}});
  ASSERT_EQ(res.status, 202) << res.body;
  const auto body = json::parse(res.body);
  ASSERT_EQ(body["data"].size(), 2u);
  EXPECT_EQ(body["data"][0]["to"], "+34910000002");
  EXPECT_EQ(body["data"][1]["to"], "+34910000003");
  EXPECT_EQ(body["data"][0]["from"], "+34910000001") << "the company's default caller id";
  auto twice = send(
      {{"virtual_fax_id", kVfax}, {"country", "ES"}, {"to", "910000002"}, {"to", "+34910000002"}});
  EXPECT_EQ(twice.status, 422);
  EXPECT_EQ(json::parse(twice.body)["error"]["field"], "to");
  auto short_one = send({{"virtual_fax_id", kVfax}, {"country", "ES"}, {"to", "12"}});
  EXPECT_EQ(short_one.status, 422);
  EXPECT_NE(json::parse(short_one.body)["error"]["message"].get<std::string>().find(
                "too short for a number of ES"),
            std::string::npos)
      << short_one.body;
}

TEST_F(FaxSendTest, UnknownOrRepeatedFieldsAreRefusedAndNothingIsQueued) {
  struct Case {
    Fields fields;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"virtual_fax_id", kVfax}, {"to", "+34910000002"}, {"sendat", "x"}}, "sendat"},
      {{{"virtual_fax_id", kVfax},
        {"to", "+34910000002"},
        {"quality", "fine"},
        {"quality", "fine"}},
       "quality"},
      {{{"virtual_fax_id", kVfax}, {"virtual_fax_id", kVfax}, {"to", "+34910000002"}},
       "virtual_fax_id"},
      {{{"virtual_fax_id", kVfax}, {"to", "+34910000002"}, {"to", "+34910000002"}}, "to"},
      {{{"virtual_fax_id", kVfax}, {"to", "+34910000002"}, {"to", "0034"}}, "to"},
      {{{"virtual_fax_id", kVfax}}, "to"},
      {{{"virtual_fax_id", kVfax}, {"to", "+34910000002"}, {"send_at", "tomorrow"}}, "send_at"},
      {{{"virtual_fax_id", kVfax},
        {"to", "+34910000002"},
        {"send_at", format_rfc3339(SysTime{} + 1s)}},
       "send_at"},
  };
  for (const auto& c : cases) {
    auto res = send(c.fields);
    EXPECT_EQ(res.status, 422) << res.body;
    EXPECT_EQ(json::parse(res.body)["error"]["field"], c.field) << res.body;
  }
  auto far = send({{"virtual_fax_id", kVfax},
                   {"to", "+34910000002"},
                   {"send_at", format_rfc3339(clock.now() + std::chrono::hours(24 * 31))}});
  EXPECT_EQ(far.status, 422) << far.body;
  EXPECT_TRUE(faxes->list({})->data.empty());
  EXPECT_EQ(documents(), 0u);
}

TEST_F(FaxSendTest, CoverPageIsOneMorePageForEachRecipient) {
  auto res = send({{"virtual_fax_id", kVfax},
                   {"to", "+34910000002"},
                   {"to", "+34910000003"},
                   {"cover_to", "Dr. Muñoz"},
                   {"cover_subject", "Informe"},
                   {"cover_note", "Línea uno\nLínea dos"}},
                  2);
  ASSERT_EQ(res.status, 202) << res.body;
  const auto body = json::parse(res.body);
  for (const auto& f : body["data"]) {
    EXPECT_EQ(f["pages_total"], 3);
    auto stored = **faxes->find(f["id"].get<std::string>());
    auto pages = document::tiff_page_count(spool->path(*stored.document).string());
    ASSERT_TRUE(pages);
    EXPECT_EQ(*pages, 3);
  }
  EXPECT_EQ(documents(), 2u) << "each cover names its recipient: one document each";
}

TEST_F(FaxSendTest, ScheduledFaxWaitsQueuedAndCanBeMovedWithPatch) {
  const auto at = clock.now() + 60s;
  auto res =
      send({{"virtual_fax_id", kVfax}, {"to", "+34910000002"}, {"send_at", format_rfc3339(at)}});
  ASSERT_EQ(res.status, 202) << res.body;
  const auto fax = json::parse(res.body);
  EXPECT_EQ(fax["status"], "queued");
  EXPECT_EQ(fax["send_at"], format_rfc3339(at));
  EXPECT_EQ(fax["next_attempt_at"], format_rfc3339(at));
  const std::string id = fax["id"];
  const auto later = format_rfc3339(clock.now() + 3600s);
  auto moved =
      request("PATCH", "/api/v1/faxes/" + id, json{{"send_at", later}}.dump(), "application/json");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(json::parse(moved.body)["next_attempt_at"], later);
  EXPECT_EQ(
      request("PATCH", "/api/v1/faxes/" + id, json{{"to", "+1"}}.dump(), "application/json").status,
      422);
  EXPECT_EQ(request("POST", "/api/v1/faxes/" + id + "/cancel", "", "").status, 202);
  EXPECT_EQ(
      request("PATCH", "/api/v1/faxes/" + id, json{{"send_at", later}}.dump(), "application/json")
          .status,
      409);
}

TEST_F(FaxSendTest, PreviewShowsTheCoverAndTheHeaderLine) {
  auto plain = send({{"to", "+34910000002"}}, 1, "", "/api/v1/faxes/preview");
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(json::parse(plain.body)["pages"], 1);
  auto full = send({{"virtual_fax_id", kVfax}, {"to", "+34910000002"}, {"cover_to", "Dr. Muñoz"}},
                   1, "", "/api/v1/faxes/preview");
  ASSERT_EQ(full.status, 200) << full.body;
  const auto body = json::parse(full.body);
  EXPECT_EQ(body["pages"], 2);
  EXPECT_EQ(body["thumbnails"].size(), 2u);
  // The header line is drawn on the page: the coded size grows by it.
  auto no_cover = json::parse(
      send({{"virtual_fax_id", kVfax}, {"to", "+34910000002"}}, 1, "", "/api/v1/faxes/preview")
          .body);
  EXPECT_GT(no_cover["coded_bytes"].get<int>(), json::parse(plain.body)["coded_bytes"].get<int>());
}

TEST_F(FaxSendTest, ReportIsForFinishedOutboundFaxes) {
  auto res = send({{"virtual_fax_id", kVfax}, {"to", "+34910000002"}});
  const std::string id = json::parse(res.body)["id"];
  EXPECT_EQ(request("GET", "/api/v1/faxes/" + id + "/report", "", "").status, 409);
  ASSERT_TRUE(faxes->cancel(id));
  auto report = request("GET", "/api/v1/faxes/" + id + "/report", "", "");
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_TRUE(report.body.starts_with("%PDF-"));
  std::string disposition;
  for (const auto& [k, v] : report.headers)
    if (k == "Content-Disposition") disposition = v;
  EXPECT_TRUE(disposition.find("-+34910000002-report.pdf") != std::string::npos) << disposition;
}

// GET /faxes?count=1 says how many faxes the filters match, whatever the page size; ?order=asc
// pages oldest first (issue #21: the lists' total and sort by time).
TEST_F(FaxSendTest, ListCountsWhatTheFiltersMatchAndPagesOldestFirstOnRequest) {
  auto res = send({{"virtual_fax_id", kVfax},
                   {"to", "+34910000002"},
                   {"to", "+34910000003"},
                   {"to", "+34910000004"}},
                  1, "");
  ASSERT_EQ(res.status, 202) << res.body;
  const auto sent = json::parse(res.body)["data"];
  auto list = [&](const std::string& query) {
    auto r = request("GET", "/api/v1/faxes?" + query, "", "");
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return json::parse(r.body);
  };
  auto page = list("limit=2&count=1");
  EXPECT_EQ(page["data"].size(), 2u);
  EXPECT_EQ(page["total"], 3);
  EXPECT_EQ(page["total_capped"], false);
  EXPECT_EQ(page["data"][0]["id"], sent[2]["id"]) << "newest first by default";
  EXPECT_FALSE(list("limit=2").contains("total")) << "counted only when asked";
  EXPECT_EQ(list("count=1&to=%2B34910000003")["total"], 1);
  EXPECT_EQ(list("count=1&to=%2B34919999999")["total"], 0);

  auto oldest = list("limit=2&order=asc&count=1");
  ASSERT_EQ(oldest["data"].size(), 2u);
  EXPECT_EQ(oldest["data"][0]["id"], sent[0]["id"]);
  EXPECT_EQ(oldest["data"][1]["id"], sent[1]["id"]);
  EXPECT_EQ(oldest["total"], 3);
  auto rest = list("limit=2&order=asc&cursor=" + oldest["next_cursor"].get<std::string>());
  ASSERT_EQ(rest["data"].size(), 1u);
  EXPECT_EQ(rest["data"][0]["id"], sent[2]["id"]);
  EXPECT_TRUE(rest["next_cursor"].is_null());

  auto bad = request("GET", "/api/v1/faxes?order=sideways", "", "");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(json::parse(bad.body)["error"]["field"], "order");
}
