// POST /api/v1/faxes/preview through the pure Router: a real store and spool in a temporary
// directory, the real (isolated) conversion.
#include "fax_preview.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api_fixture.hpp"
#include "faxd/store/tenant_repo.hpp"
#include "pdf_maker.hpp"

using namespace faxd;
using nlohmann::json;

namespace {

// A valid PDF of `pages` letter pages, each with a black bar and a line of text.
std::string pdf(int pages) {
  return test::make_pdf(std::vector<std::pair<double, double>>(std::size_t(pages), {612, 792}),
                        test::PdfText::page_numbers);
}

struct File {
  std::string name;
  std::string data;
};

struct FaxPreviewTest : test::ApiFixture {
  void SetUp() override {
    ApiFixture::SetUp();
    if (HasFatalFailure()) return;
    token = make_user("root", store::Role::platform_admin);
    ASSERT_FALSE(token.empty());
  }

  http::Response preview(const std::vector<File>& files, const std::string& quality = "fine",
                         const std::string& auth = "") {
    const std::string b = "previewboundary42";
    std::vector<test::FormPart> parts{{"quality", quality}};
    for (const auto& f : files) parts.push_back({"file", f.data, f.name});
    return request("POST", "/api/v1/faxes/preview", auth.empty() ? token : auth,
                   test::multipart_body(b, parts), "multipart/form-data; boundary=" + b);
  }

  std::size_t files_in_spool() {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.file("spool")))
      n += e.is_regular_file();
    return n;
  }

  std::string token;
};

TEST_F(FaxPreviewTest, CountsPagesEstimatesLineTimeAndStoresNothing) {
  auto res = preview({{"a.pdf", pdf(2)}, {"b.pdf", pdf(1)}});
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = json::parse(res.body);
  EXPECT_EQ(body["pages"], 3);
  EXPECT_EQ(body["quality"], "fine");
  ASSERT_EQ(body["thumbnails"].size(), 3u);
  for (const auto& t : body["thumbnails"])  // a PNG signature, base64-encoded
    EXPECT_TRUE(t.get<std::string>().starts_with("data:image/png;base64,iVBORw0KGgo")) << t;
  // Three light pages: the call set-up and three page turnarounds, plus a little data.
  const int seconds = body["line_seconds"];
  EXPECT_GE(seconds, 21);
  EXPECT_LT(seconds, 60);
  EXPECT_GT(body["coded_bytes"].get<int>(), 0);

  // Standard resolution codes half the lines: less time on the line.
  auto standard = json::parse(preview({{"a.pdf", pdf(2)}, {"b.pdf", pdf(1)}}, "standard").body);
  EXPECT_LT(standard["coded_bytes"].get<int>(), body["coded_bytes"].get<int>());

  // A preview is not a fax, and leaves no file behind.
  auto list = faxes->list({});
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->data.empty());
  EXPECT_EQ(files_in_spool(), 0u);
}

TEST_F(FaxPreviewTest, ThumbnailsStopAtTheLimitButPagesAreAllCounted) {
  auto res = preview({{"long.pdf", pdf(api::kPreviewThumbnails + 2)}});
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = json::parse(res.body);
  EXPECT_EQ(body["pages"], api::kPreviewThumbnails + 2);
  EXPECT_EQ(body["thumbnails"].size(), static_cast<std::size_t>(api::kPreviewThumbnails));
}

TEST_F(FaxPreviewTest, ABrokenDocumentIsRefusedAtTheFileField) {
  auto broken = pdf(1);
  broken.resize(broken.size() / 2);  // truncated: no xref, no trailer
  auto res = preview({{"broken.pdf", broken}});
  EXPECT_EQ(res.status, 422) << res.body;
  const auto e = json::parse(res.body)["error"];
  EXPECT_EQ(e["code"], "document_invalid");
  EXPECT_EQ(e["field"], "file");
  EXPECT_TRUE(e["message"].get<std::string>().starts_with("broken.pdf: ")) << e;
  EXPECT_EQ(files_in_spool(), 0u);

  EXPECT_EQ(preview({{"note.pdf", "just some text"}}).status, 422);
  EXPECT_EQ(preview({}).status, 422);
  EXPECT_EQ(preview({{"a.pdf", pdf(1)}}, "ultra").status, 422);
}

TEST_F(FaxPreviewTest, NeedsALogin) {
  EXPECT_EQ(preview({{"a.pdf", pdf(1)}}, "fine", "not-a-token").status, 401);
}

TEST(LineTimeEstimate, MatchesTheSimulatedLine) {
  // bench/fax_session_bench --line-time, letter10.pdf at fine resolution: the first page
  // (55299 coded bytes) takes 50.6 s; the whole ten pages (556415 bytes) 377.6 s.
  document::FaxDocumentInfo one{.pages = 1, .page_info = {{.coded_bytes = 55299}}};
  EXPECT_NEAR(api::estimate_line_seconds(one), 50.6, 1.0);
  document::FaxDocumentInfo ten{.pages = 10};
  for (int i = 0; i < 10; ++i) ten.page_info.push_back({.coded_bytes = 55641});
  EXPECT_NEAR(api::estimate_line_seconds(ten), 377.6, 1.5);
  EXPECT_EQ(api::estimate_line_seconds({}), 0.0);
}

}  // namespace
