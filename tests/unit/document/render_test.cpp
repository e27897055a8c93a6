// Pages faxd draws: text bodies, cover pages and the page header line, at fax resolution. Where
// tesseract is installed the drawn text is read back, accents included, as a receiver would.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "faxd/document/document.hpp"
#include "faxd/document/render.hpp"
#include "png_encoder.hpp"
#include "raster.hpp"
#include "temp_dir.hpp"
#include "test_files.hpp"

using namespace faxd;
using namespace faxd::document;
using faxd::test::make_pdf;
using faxd::test::read_bytes;
using faxd::test::TempDir;
using faxd::test::write_bytes;

namespace {

int black_in(const BilevelPage& p, int y0, int y1, int x0 = 0, int x1 = -1) {
  if (x1 < 0) x1 = p.width;
  int n = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) n += p.black(x, y);
  return n;
}

bool have_tesseract(const char* lang) {
  const std::string cmd = std::string("tesseract --list-langs 2>/dev/null | grep -qx ") + lang;
  return std::system(cmd.c_str()) == 0;
}

// Rows y0..y1 as a grey PNG at twice the size and its physical aspect (tesseract reads small
// print best enlarged), read by tesseract; the text it saw.
std::string ocr(const BilevelPage& page, const TempDir& dir, const char* lang, int y0 = 0,
                int y1 = -1) {
  if (y1 < 0) y1 = page.height;
  const double stretch = 2 * page.x_dpi / page.y_dpi;
  const int h = int((y1 - y0) * stretch);
  const int pad = 32;  // white border: tesseract misreads text that touches the edge
  GreyImage grey(2 * page.width, h + 2 * pad, 255);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < 2 * page.width; ++x)
      grey.row(y + pad)[x] = page.black(x / 2, y0 + int(y / stretch)) ? 0 : 255;
  auto png = encode_png(grey);
  EXPECT_TRUE(png);
  const auto in = dir.file("ocr.png");
  write_bytes(in, *png);
  const auto out = dir.file("ocr");
  const std::string cmd =
      "tesseract " + in + " " + out + " -l " + lang + " --dpi 408 >/dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return read_bytes(out + ".txt");
}

std::string paragraph(int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += "Línea de prueba número " + std::to_string(i) + " con acentos.\n";
  return s;
}

}  // namespace

TEST(Render, TextPagesHaveFaxGeometryAndMargins) {
  auto pages = render_text_pages("Hello fax\n\nSecond paragraph.", {.quality = Quality::fine});
  ASSERT_TRUE(pages) << pages.error().message;
  ASSERT_EQ(pages->size(), 1u);
  const auto& p = pages->front();
  EXPECT_EQ(p.width, 1728);
  EXPECT_EQ(p.height, 2292);  // A4 at 196 lines an inch
  EXPECT_GT(black_in(p, 0, p.height), 500);
  // 20 mm margins stay white: 160 px at 204 dpi, 154 lines at 196.
  EXPECT_EQ(black_in(p, 0, 150), 0);
  EXPECT_EQ(black_in(p, 0, p.height, 0, 155), 0);

  auto standard =
      render_text_pages("Hello", {.quality = Quality::standard, .paper = Paper::letter});
  ASSERT_TRUE(standard);
  EXPECT_EQ(standard->front().height, 1078);  // 11 in at 98 lines an inch
  EXPECT_DOUBLE_EQ(standard->front().y_dpi, 98);
}

TEST(Render, LongTextFlowsOverPagesWithoutLosingLines) {
  auto pages = render_text_pages(paragraph(140), {});
  ASSERT_TRUE(pages) << pages.error().message;
  EXPECT_GE(pages->size(), 3u);
  for (const auto& p : *pages) EXPECT_GT(black_in(p, 0, p.height), 1000);
  auto too_many = render_text_pages(paragraph(400), {.max_pages = 2});
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, Errc::too_large);
}

TEST(Render, InvalidUtf8IsDrawnNotTrusted) {
  auto pages = render_text_pages(std::string("ok \xff\xfe bytes\0 here", 18), {});
  ASSERT_TRUE(pages) << pages.error().message;
  EXPECT_EQ(pages->size(), 1u);
}

TEST(Render, CoverPageWithLogoAndFieldsWritesAsTiff) {
  GreyImage logo(300, 100, 255);
  for (int y = 20; y < 80; ++y)
    for (int x = 20; x < 280; ++x) logo.row(y)[x] = std::uint8_t(x % 256);  // a grey ramp
  auto png = encode_png(logo);
  ASSERT_TRUE(png);
  CoverPage cover{.language = "es",
                  .logo_png = *png,
                  .company_name = "Clínica Norte",
                  .company_details = "Calle Mayor 1\n28001 Madrid",
                  .from_name = "Recepción",
                  .from_number = "+34911000001",
                  .to_name = "Dr. Muñoz",
                  .to_number = "+34911000002",
                  .subject = "Informe",
                  .note = "Por favor, confirme la recepción.",
                  .date = "5 dic 2026 10:30",
                  .pages = 3,
                  .footer = "Confidencial"};
  auto page = render_cover_page(cover, Quality::fine);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->width, 1728);
  EXPECT_GT(black_in(*page, 0, page->height), 5000);
  // The logo's ramp is dithered: its middle is neither all black nor all white.
  const int mid = black_in(*page, 170, 230, 300, 400);
  EXPECT_GT(mid, 500);
  EXPECT_LT(mid, 100 * 60);

  TempDir dir;
  auto info = write_fax_tiff({*page}, dir.file("cover.tiff"));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->pages, 1);
  auto back = read_fax_page(dir.file("cover.tiff"), 0);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->bits, page->bits);

  cover.logo_png = "not a png";
  EXPECT_FALSE(render_cover_page(cover, Quality::fine));
}

TEST(Render, JoinCopiesPagesInOrder) {
  TempDir dir;
  write_bytes(dir.file("doc.pdf"), make_pdf({{595, 842}, {595, 842}}));
  auto doc = convert_to_fax_tiff({dir.file("doc.pdf")}, dir.file("doc.tiff"), Quality::fine,
                                 {.isolate = false});
  ASSERT_TRUE(doc) << doc.error().message;
  auto cover = render_cover_page({.to_name = "Someone"}, Quality::fine);
  ASSERT_TRUE(cover);
  ASSERT_TRUE(write_fax_tiff({*cover}, dir.file("cover.tiff")));
  auto joined =
      join_fax_tiffs({dir.file("cover.tiff"), dir.file("doc.tiff")}, dir.file("all.tiff"));
  ASSERT_TRUE(joined) << joined.error().message;
  EXPECT_EQ(joined->pages, 3);
  auto info = read_fax_tiff_info(dir.file("all.tiff"));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->pages, 3);
  EXPECT_EQ(read_fax_page(dir.file("all.tiff"), 0)->bits, cover->bits);
  EXPECT_EQ(read_fax_page(dir.file("all.tiff"), 2)->bits,
            read_fax_page(dir.file("doc.tiff"), 1)->bits);
  EXPECT_FALSE(join_fax_tiffs({dir.file("missing.tiff")}, dir.file("x.tiff")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.tiff")));
}

TEST(Render, HeaderIsStampedOnEveryPageAndOnlyInItsBand) {
  TempDir dir;
  write_bytes(dir.file("doc.pdf"), make_pdf({{595, 842}, {595, 842}}));
  ASSERT_TRUE(convert_to_fax_tiff({dir.file("doc.pdf")}, dir.file("doc.tiff"), Quality::standard,
                                  {.isolate = false}));
  std::vector<std::pair<int, int>> asked;
  auto stamped = stamp_page_headers(dir.file("doc.tiff"), dir.file("out.tiff"), [&](int n, int m) {
    asked.emplace_back(n, m);
    return HeaderLine{"05/12/2026 10:30  Clínica",
                      "page " + std::to_string(n) + "/" + std::to_string(m)};
  });
  ASSERT_TRUE(stamped) << stamped.error().message;
  EXPECT_EQ(stamped->pages, 2);
  EXPECT_EQ(asked, (std::vector<std::pair<int, int>>{{1, 2}, {2, 2}}));
  for (int i = 0; i < 2; ++i) {
    auto before = read_fax_page(dir.file("doc.tiff"), i);
    auto after = read_fax_page(dir.file("out.tiff"), i);
    ASSERT_TRUE(before && after);
    EXPECT_DOUBLE_EQ(after->y_dpi, 98);
    const int band = header_band_lines(after->y_dpi);
    EXPECT_EQ(black_in(*before, 0, band), 0);
    EXPECT_GT(black_in(*after, 0, band), 100);
    // Below the band nothing changed.
    const auto row0 = std::size_t(band) * std::size_t(after->stride);
    EXPECT_TRUE(std::equal(after->bits.begin() + long(row0), after->bits.end(),
                           before->bits.begin() + long(row0)));
  }
}

TEST(Render, TesseractReadsAccentedHeaderAndText) {
  if (!have_tesseract("spa")) GTEST_SKIP() << "tesseract-ocr-spa not installed";
  TempDir dir;
  const std::string header = "Clínica Recepción Nº 5 ñ";
  auto pages = render_text_pages("", {});
  ASSERT_TRUE(pages);
  auto page = pages->front();
  ASSERT_TRUE(stamp_page_header(page, {"5 dic 2026 10:30  " + header, "pág. 1/1"}));
  const auto text = ocr(page, dir, "spa", 0, header_band_lines(page.y_dpi));
  EXPECT_NE(text.find("Clínica"), std::string::npos) << text;
  EXPECT_NE(text.find("Recepción"), std::string::npos) << text;
  EXPECT_NE(text.find("1/1"), std::string::npos) << text;

  auto body = render_text_pages("Señora Muñoz:\nGracias por la información.", {.title = "Asunto"});
  ASSERT_TRUE(body);
  const auto read = ocr(body->front(), dir, "spa", 0, 600);
  EXPECT_NE(read.find("Muñoz"), std::string::npos) << read;
  EXPECT_NE(read.find("información"), std::string::npos) << read;
}
