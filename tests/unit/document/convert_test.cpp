// Uploads to TIFF-F: page geometry, TIFF-F tags, coded size, and refusals of bad uploads.
#include <gtest/gtest.h>

#include <tiffio.h>
#include <cstdlib>
#include <filesystem>

#include "faxd/document/document.hpp"
#include "page_layout.hpp"
#include "temp_dir.hpp"
#include "test_files.hpp"

using namespace faxd;
using namespace faxd::document;
using faxd::test::corpus;
using faxd::test::make_pdf;
using faxd::test::TempDir;
using faxd::test::write_bytes;

namespace {

struct TiffPage {
  std::uint32_t width = 0, height = 0;
  std::uint16_t compression = 0, bits = 0, fill_order = 0, photometric = 9, unit = 0;
  float x_res = 0, y_res = 0;
};

std::vector<TiffPage> read_pages(const std::string& path) {
  std::vector<TiffPage> pages;
  TIFF* tif = TIFFOpen(path.c_str(), "r");
  if (!tif) return pages;
  do {
    TiffPage p;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &p.width);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &p.height);
    TIFFGetField(tif, TIFFTAG_COMPRESSION, &p.compression);
    TIFFGetField(tif, TIFFTAG_BITSPERSAMPLE, &p.bits);
    TIFFGetField(tif, TIFFTAG_FILLORDER, &p.fill_order);
    TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &p.photometric);
    TIFFGetField(tif, TIFFTAG_RESOLUTIONUNIT, &p.unit);
    TIFFGetField(tif, TIFFTAG_XRESOLUTION, &p.x_res);
    TIFFGetField(tif, TIFFTAG_YRESOLUTION, &p.y_res);
    pages.push_back(p);
  } while (TIFFReadDirectory(tif));
  TIFFClose(tif);
  return pages;
}

bool have_corpus() {
  return std::filesystem::exists(corpus("pdf/letter10.pdf"));
}

}  // namespace

TEST(PageLayout, A4AndLetterKeepTheirLengthInLines) {
  auto a4 = layout_page(8.27, 11.69, 196);
  EXPECT_FALSE(a4.rotate);
  EXPECT_DOUBLE_EQ(a4.scale, 1.0);
  EXPECT_EQ(a4.height, 2291);
  auto letter = layout_page(8.5, 11.0, 98);
  EXPECT_DOUBLE_EQ(letter.scale, 1.0);  // 6 px wider than 1728: cropped, not shrunk
  EXPECT_EQ(letter.height, 1078);
  EXPECT_EQ(letter.width, 1728);
}

TEST(PageLayout, LandscapeTurnsAndOddSizesFitTheWidth) {
  auto landscape = layout_page(11.69, 8.27, 196);
  EXPECT_TRUE(landscape.rotate);
  EXPECT_EQ(landscape.height, 2291);
  auto a5 = layout_page(5.83, 8.27, 196);  // enlarged to the full width, aspect kept
  EXPECT_NEAR(a5.scale * 5.83 * 204, 1728, 1);
  EXPECT_NEAR(double(a5.height) / 196 / (a5.scale * 8.27), 1.0, 0.01);
  auto a3 = layout_page(11.69, 16.54, 196);  // reduced
  EXPECT_NEAR(a3.scale * 11.69 * 204, 1728, 1);
}

TEST(Convert, LetterPdfToFineTiffF) {
  if (!have_corpus()) GTEST_SKIP() << "no corpus";
  TempDir dir;
  auto info =
      convert_to_fax_tiff({corpus("pdf/letter10.pdf")}, dir.file("out.tiff"), Quality::fine);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->pages, 10);
  auto pages = read_pages(dir.file("out.tiff"));
  ASSERT_EQ(pages.size(), 10u);
  for (const auto& p : pages) {
    EXPECT_EQ(p.width, 1728u);
    EXPECT_EQ(p.height, 2292u);  // A4 at 196 lines per inch
    EXPECT_EQ(p.bits, 1);
    EXPECT_EQ(p.compression, COMPRESSION_CCITTFAX4);
    EXPECT_EQ(p.fill_order, FILLORDER_MSB2LSB);
    EXPECT_EQ(p.photometric, PHOTOMETRIC_MINISWHITE);
    EXPECT_EQ(p.unit, RESUNIT_INCH);
    EXPECT_FLOAT_EQ(p.x_res, 204.f);
    EXPECT_FLOAT_EQ(p.y_res, 196.f);
  }
  auto count = tiff_page_count(dir.file("out.tiff"));
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 10);
}

TEST(Convert, StandardQualityHalvesTheLines) {
  if (!have_corpus()) GTEST_SKIP() << "no corpus";
  TempDir dir;
  auto info =
      convert_to_fax_tiff({corpus("pdf/letter10.pdf")}, dir.file("out.tif"), Quality::standard);
  ASSERT_TRUE(info) << info.error().message;
  auto pages = read_pages(dir.file("out.tif"));
  ASSERT_EQ(pages.size(), 10u);
  EXPECT_EQ(pages[0].height, 1146u);
  EXPECT_FLOAT_EQ(pages[0].y_res, 98.f);
  EXPECT_EQ(info->page_info[0].y_dpi, 98);
}

TEST(Convert, ScannedPagesCodeSmall) {
  // A scan's off-white paper must not be dithered into dots (that is ~485 KB a page).
  if (!have_corpus()) GTEST_SKIP() << "no corpus";
  TempDir dir;
  auto info = convert_to_fax_tiff({corpus("pdf/scan10.pdf")}, dir.file("scan.tiff"), Quality::fine);
  ASSERT_TRUE(info) << info.error().message;
  ASSERT_EQ(info->pages, 10);
  for (const auto& p : info->page_info) EXPECT_LT(p.coded_bytes, 100u * 1024);
  EXPECT_LT(line_seconds(info->coded_bytes) / info->pages, 60.0);
}

TEST(Convert, JoinsSeveralInputsInOrder) {
  if (!have_corpus()) GTEST_SKIP() << "no corpus";
  TempDir dir;
  write_bytes(dir.file("one.pdf"), make_pdf({{612, 792}}));
  auto info = convert_to_fax_tiff(
      {dir.file("one.pdf"), corpus("tiff/one-page-g4-204x196.tiff"), corpus("pdf/letter10.pdf")},
      dir.file("out.tiff"), Quality::fine);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->pages, 12);
  auto pages = read_pages(dir.file("out.tiff"));
  ASSERT_EQ(pages.size(), 12u);
  EXPECT_EQ(pages[0].height, 2156u);  // Letter
  EXPECT_EQ(pages[1].height, 2156u);  // the fax TIFF page, same resolution
  EXPECT_EQ(pages[2].height, 2292u);  // A4
  for (const auto& p : pages) EXPECT_EQ(p.width, 1728u);
}

TEST(Convert, LandscapePageIsTurnedToPortrait) {
  TempDir dir;
  write_bytes(dir.file("land.pdf"), make_pdf({{842, 595}}));
  auto info = convert_to_fax_tiff({dir.file("land.pdf")}, dir.file("out.tiff"), Quality::fine);
  ASSERT_TRUE(info) << info.error().message;
  auto pages = read_pages(dir.file("out.tiff"));
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].width, 1728u);
  EXPECT_EQ(pages[0].height, 2292u);
}

// Each bad upload is refused with the error a user needs, and leaves no output behind.
class BadInput : public ::testing::Test {
 protected:
  Error refuse(const std::string& name, const std::string& bytes, ConvertOptions options = {}) {
    write_bytes(dir_.file(name), bytes);
    auto inspected = inspect_input(dir_.file(name), options);
    EXPECT_FALSE(inspected) << name << " was accepted by inspect_input";
    auto out =
        convert_to_fax_tiff({dir_.file(name)}, dir_.file("out.tiff"), Quality::fine, options);
    EXPECT_FALSE(out) << name << " was converted";
    EXPECT_FALSE(std::filesystem::exists(dir_.file("out.tiff")));
    if (!out) {
      EXPECT_EQ(out.error().message, inspected ? "" : inspected.error().message);
      return out.error();
    }
    return {};
  }
  TempDir dir_;
};

TEST_F(BadInput, EmptyFile) {
  auto e = refuse("empty.pdf", "");
  EXPECT_EQ(e.code, Errc::invalid_argument);
  EXPECT_EQ(e.message, "the file is empty");
}

TEST_F(BadInput, PngNamedPdf) {
  auto e =
      refuse("image.pdf", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + std::string(100, 'x'));
  EXPECT_EQ(e.code, Errc::invalid_argument);
  EXPECT_EQ(e.message, "not a PDF or TIFF document (it is a PNG image)");
}

TEST_F(BadInput, TruncatedPdf) {
  if (!have_corpus()) GTEST_SKIP() << "no corpus";
  std::string pdf = faxd::test::read_bytes(corpus("pdf/letter10.pdf"));
  auto e = refuse("cut.pdf", pdf.substr(0, pdf.size() / 2));
  EXPECT_EQ(e.code, Errc::invalid_argument);
  EXPECT_NE(e.message.find("truncated"), std::string::npos) << e.message;
}

TEST_F(BadInput, ZeroPages) {
  auto e = refuse("none.pdf", make_pdf({}));
  EXPECT_EQ(e.code, Errc::invalid_argument);
  EXPECT_EQ(e.message, "the document has no pages");
}

TEST_F(BadInput, GarbageAfterPdfHeader) {
  std::string junk = "%PDF-1.7\n";
  unsigned seed = 7;
  for (int i = 0; i < 20000; ++i) junk += char((seed = seed * 1103515245 + 12345) >> 16);
  junk += "\n%%EOF\n";
  auto e = refuse("junk.pdf", junk);
  EXPECT_EQ(e.code, Errc::invalid_argument);
}

TEST_F(BadInput, EncryptedPdf) {
  if (std::system("command -v qpdf >/dev/null 2>&1") != 0) GTEST_SKIP() << "qpdf not installed";
  write_bytes(dir_.file("plain.pdf"), make_pdf({{595, 842}}));
  std::string cmd = "qpdf --encrypt secret owner 256 -- " + dir_.file("plain.pdf") + " " +
                    dir_.file("locked.pdf");
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto e = refuse("locked.pdf", faxd::test::read_bytes(dir_.file("locked.pdf")));
  EXPECT_EQ(e.code, Errc::unsupported);
  EXPECT_NE(e.message.find("encrypted"), std::string::npos) << e.message;
}

TEST_F(BadInput, TooManyPages) {
  ConvertOptions options;
  options.max_pages = 3;
  auto e = refuse("many.pdf", make_pdf({{595, 842}, {595, 842}, {595, 842}, {595, 842}}), options);
  EXPECT_EQ(e.code, Errc::too_large);
  EXPECT_EQ(e.message, "the document has 4 pages; the limit is 3");
}

TEST_F(BadInput, HugePage) {
  auto e = refuse("huge.pdf", make_pdf({{14400, 14400}}));
  EXPECT_EQ(e.code, Errc::too_large);
  EXPECT_NE(e.message.find("page 1 is 200 x 200 inches"), std::string::npos) << e.message;
}

TEST_F(BadInput, TooManyBytes) {
  ConvertOptions options;
  options.max_bytes = 100;
  auto e = refuse("big.pdf", make_pdf({{595, 842}}), options);
  EXPECT_EQ(e.code, Errc::too_large);
  EXPECT_NE(e.message.find("the limit is 0.0 MB"), std::string::npos) << e.message;
}

TEST_F(BadInput, SecondDocumentIsNamed) {
  write_bytes(dir_.file("good.pdf"), make_pdf({{595, 842}}));
  write_bytes(dir_.file("bad.pdf"), "hello");
  auto out = convert_to_fax_tiff({dir_.file("good.pdf"), dir_.file("bad.pdf")},
                                 dir_.file("out.tiff"), Quality::fine);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message, "document 2: not a PDF or TIFF document");
}
