// Fax TIFFs: spandsp sends from ours, received TIFFs (any coding) become PDFs with the right page
// shape, and thumbnails keep the aspect.
#include <gtest/gtest.h>

#include <filesystem>

#include <tiffio.h>
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include <spandsp.h>

#include "faxd/document/document.hpp"
#include "pdf_source.hpp"
#include "temp_dir.hpp"
#include "test_files.hpp"

using namespace faxd;
using namespace faxd::document;
using faxd::test::corpus;
using faxd::test::make_pdf;
using faxd::test::read_bytes;
using faxd::test::TempDir;
using faxd::test::write_bytes;

namespace {

bool have_corpus() {
  return std::filesystem::exists(corpus("pdf/letter10.pdf"));
}

PageSize pdf_page_inches(const std::string& pdf, int index, int* pages = nullptr) {
  auto bytes = std::make_shared<const std::string>(read_bytes(pdf));
  auto src = PdfSource::open(bytes);
  EXPECT_TRUE(src) << (src ? "" : src.error().message);
  if (!src) return {};
  if (pages) *pages = src->page_count();
  auto size = src->page_size(index);
  return size ? *size : PageSize{};
}

// Sends every page of `in` through spandsp's T.4 transmitter with `coding` and writes what a
// spandsp receiver stores: exactly the file a received fax leaves in the spool.
int relay_through_spandsp(const std::string& in, const std::string& out, int coding) {
  t4_tx_state_t* tx = t4_tx_init(nullptr, in.c_str(), -1, -1);
  if (!tx) return -1;
  t4_rx_state_t* rx = t4_rx_init(nullptr, out.c_str(), coding);
  int pages = 0;
  t4_tx_set_tx_encoding(tx, coding);
  t4_tx_set_min_bits_per_row(tx, 0);
  while (t4_tx_start_page(tx) == 0) {
    t4_rx_set_rx_encoding(rx, coding);
    t4_rx_set_image_width(rx, t4_tx_get_image_width(tx));
    t4_rx_set_x_resolution(rx, t4_tx_get_x_resolution(tx));
    t4_rx_set_y_resolution(rx, t4_tx_get_y_resolution(tx));
    t4_rx_start_page(rx);
    uint8_t buf[1024];
    int n;
    while ((n = t4_tx_get_chunk(tx, buf, sizeof buf)) > 0) {
      t4_rx_put_chunk(rx, buf, n);
      if (n < int(sizeof buf)) break;
    }
    t4_rx_end_page(rx);
    t4_tx_end_page(tx);
    ++pages;
  }
  t4_rx_free(rx);
  t4_tx_free(tx);
  return pages;
}

}  // namespace

TEST(FaxTiff, SpandspSendsFromOurTiff) {
  if (!have_corpus()) GTEST_SKIP() << "no corpus";
  TempDir dir;
  ASSERT_TRUE(
      convert_to_fax_tiff({corpus("pdf/mixed10.pdf")}, dir.file("out.tiff"), Quality::fine));
  t4_tx_state_t* tx = t4_tx_init(nullptr, dir.file("out.tiff").c_str(), -1, -1);
  ASSERT_NE(tx, nullptr) << "spandsp cannot open the TIFF";
  EXPECT_EQ(t4_tx_get_pages_in_file(tx), 10);
  int pages = 0;
  while (t4_tx_start_page(tx) == 0) {
    EXPECT_EQ(t4_tx_get_image_width(tx), 1728);
    EXPECT_EQ(t4_tx_get_x_resolution(tx), T4_X_RESOLUTION_R8);
    EXPECT_EQ(t4_tx_get_y_resolution(tx), T4_Y_RESOLUTION_FINE);
    uint8_t buf[4096];
    long total = 0;
    int n;
    while ((n = t4_tx_get_chunk(tx, buf, sizeof buf)) > 0) {
      total += n;
      if (n < int(sizeof buf)) break;
    }
    EXPECT_GT(total, 1000);
    t4_tx_end_page(tx);
    ++pages;
  }
  EXPECT_EQ(pages, 10);
  t4_tx_free(tx);
}

TEST(FaxTiff, G4PassesIntoPdfUnchanged) {
  if (!have_corpus()) GTEST_SKIP() << "no corpus";
  TempDir dir;
  std::string tiff = corpus("tiff/one-page-g4-204x196.tiff");
  auto ok = fax_tiff_to_pdf(tiff, dir.file("fax.pdf"));
  ASSERT_TRUE(ok) << ok.error().message;
  std::string pdf = read_bytes(dir.file("fax.pdf"));
  EXPECT_NE(pdf.find("/CCITTFaxDecode"), std::string::npos);
  EXPECT_NE(pdf.find("/K -1"), std::string::npos);
  auto info = read_fax_tiff_info(tiff);
  ASSERT_TRUE(info);
  // The coded bytes are in the PDF as they were in the TIFF.
  TIFF* tif = TIFFOpen(tiff.c_str(), "r");
  ASSERT_NE(tif, nullptr);
  std::string raw(std::size_t(TIFFRawStripSize(tif, 0)), '\0');
  TIFFReadRawStrip(tif, 0, raw.data(), tmsize_t(raw.size()));
  TIFFClose(tif);
  EXPECT_NE(pdf.find(raw), std::string::npos);
  int pages = 0;
  auto size = pdf_page_inches(dir.file("fax.pdf"), 0, &pages);
  EXPECT_EQ(pages, 1);
  EXPECT_NEAR(size.width_in, 1728 / 204.0, 0.01);
  EXPECT_NEAR(size.height_in, 2156 / 196.0, 0.01);  // a Letter page
}

TEST(FaxTiff, ReceivedStandardMhPageIsNotSquashed) {
  if (!have_corpus()) GTEST_SKIP() << "no corpus";
  TempDir dir;
  ASSERT_TRUE(
      convert_to_fax_tiff({corpus("pdf/letter10.pdf")}, dir.file("std.tiff"), Quality::standard));
  ASSERT_EQ(
      relay_through_spandsp(dir.file("std.tiff"), dir.file("rx.tiff"), T4_COMPRESSION_ITU_T4_1D),
      10);
  auto rx = read_fax_tiff_info(dir.file("rx.tiff"));
  ASSERT_TRUE(rx) << rx.error().message;
  EXPECT_EQ(rx->pages, 10);
  EXPECT_NEAR(rx->page_info[0].y_dpi, 98, 1);
  ASSERT_TRUE(fax_tiff_to_pdf(dir.file("rx.tiff"), dir.file("rx.pdf")));
  int pages = 0;
  auto size = pdf_page_inches(dir.file("rx.pdf"), 0, &pages);
  EXPECT_EQ(pages, 10);
  // A4 (8.27 x 11.69 in) centred on the 8.47 in fax width: an A4-long page, not half of one.
  EXPECT_NEAR(size.width_in, 8.47, 0.02);
  EXPECT_NEAR(size.height_in, 11.69, 0.05);
  EXPECT_NEAR(size.height_in / size.width_in, 11.69 / 8.47, 0.01);
}

TEST(FaxTiff, MrFineRoundTripsBackToTiffF) {
  if (!have_corpus()) GTEST_SKIP() << "no corpus";
  TempDir dir;
  ASSERT_TRUE(convert_to_fax_tiff({corpus("pdf/letter10.pdf")}, dir.file("a.tiff"), Quality::fine));
  ASSERT_EQ(
      relay_through_spandsp(dir.file("a.tiff"), dir.file("mr.tiff"), T4_COMPRESSION_ITU_T4_2D), 10);
  ASSERT_TRUE(fax_tiff_to_pdf(dir.file("mr.tiff"), dir.file("mr.pdf")));
  // The PDF we wrote is a valid upload again.
  auto again = convert_to_fax_tiff({dir.file("mr.pdf")}, dir.file("b.tiff"), Quality::fine);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->pages, 10);
  EXPECT_EQ(again->page_info[0].width, 1728);
  EXPECT_EQ(again->page_info[0].height, 2292);
}

TEST(FaxTiff, ThumbnailKeepsThePhysicalAspect) {
  if (!have_corpus()) GTEST_SKIP() << "no corpus";
  TempDir dir;
  ASSERT_TRUE(
      convert_to_fax_tiff({corpus("pdf/letter10.pdf")}, dir.file("std.tiff"), Quality::standard));
  auto png = thumbnail_png(dir.file("std.tiff"), 2, 200);
  ASSERT_TRUE(png) << png.error().message;
  ASSERT_GT(png->size(), 24u);
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto be32 = [&](std::size_t at) {
    auto b = [&](std::size_t i) { return std::uint32_t(std::uint8_t((*png)[at + i])); };
    return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
  };
  EXPECT_EQ(be32(16), 200u);
  EXPECT_NEAR(double(be32(20)), 200 * 11.69 / 8.47, 2);  // not 200 * 1146 / 1728
  auto missing = thumbnail_png(dir.file("std.tiff"), 10, 200);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST(FaxTiff, NotATiffIsAnError) {
  TempDir dir;
  write_bytes(dir.file("x.tiff"), "not a tiff");
  EXPECT_FALSE(tiff_page_count(dir.file("x.tiff")));
  EXPECT_FALSE(fax_tiff_to_pdf(dir.file("x.tiff"), dir.file("x.pdf")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.pdf")));
}
