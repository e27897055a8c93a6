#pragma once
// Test documents: writes TIFF-F files (1728 px wide, bilevel, 204x196 dpi, G3 or G4) with
// libtiff, and reads back what a receiver wrote. Each page carries bars at a page-specific
// height so pages can be told apart; the top `kBlankTop` rows are left white so a page header
// line added by the sender is visible. Test-only.
#include <tiffio.h>

#include <cstdint>
#include <string>
#include <vector>

namespace faxd::test {

inline constexpr int kFaxWidth = 1728;
inline constexpr int kBlankTop = 80;

enum class TiffCoding { g3, g4 };

inline bool write_tiff_f(const std::string& path, int pages, int rows = 1100,
                         TiffCoding coding = TiffCoding::g4) {
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  if (!tif) return false;
  std::vector<std::uint8_t> row(kFaxWidth / 8);
  for (int p = 0; p < pages; ++p) {
    TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, kFaxWidth);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, rows);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    TIFFSetField(tif, TIFFTAG_FILLORDER, FILLORDER_LSB2MSB);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows);
    TIFFSetField(tif, TIFFTAG_XRESOLUTION, 204.0f);
    TIFFSetField(tif, TIFFTAG_YRESOLUTION, 196.0f);
    TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    TIFFSetField(tif, TIFFTAG_PAGENUMBER, p, pages);
    if (coding == TiffCoding::g4) {
      TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
      TIFFSetField(tif, TIFFTAG_GROUP4OPTIONS, 0);
    } else {
      TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX3);
      TIFFSetField(tif, TIFFTAG_GROUP3OPTIONS, GROUP3OPT_2DENCODING);
    }
    for (int y = 0; y < rows; ++y) {
      std::fill(row.begin(), row.end(), std::uint8_t{0});
      // Lines of word-like blocks (a page of text compresses about the same), a band whose
      // height depends on the page number, and a diagonal.
      if (y >= kBlankTop && (y % 24) < 14) {
        for (int word = 0; word < 66; ++word) {
          const unsigned h = static_cast<unsigned>(word * 7919 + (y / 24) * 104729 + p * 31);
          if ((h >> 3) % 3 != 0) row[(96 + word * 24) / 8] = static_cast<std::uint8_t>(h | 0x81);
        }
      }
      const int band = kBlankTop + 40 + p * 60;
      if (y >= band && y < band + 20) {
        for (int x = 200; x < 1500; x += 16) row[x / 8] = 0xff;
      }
      if (y >= kBlankTop) {
        const int x = (y * 2) % kFaxWidth;
        row[x / 8] |= 0xf0;
      }
      if (TIFFWriteScanline(tif, row.data(), static_cast<std::uint32_t>(y), 0) < 0) {
        TIFFClose(tif);
        return false;
      }
    }
    TIFFWriteDirectory(tif);
  }
  TIFFClose(tif);
  return true;
}

struct TiffSummary {
  int pages = 0;
  int width = 0;              // of the first page
  long black_top_pixels = 0;  // black pixels in the first kBlankTop - 10 rows of page 1
};

inline TiffSummary read_tiff_summary(const std::string& path) {
  TiffSummary s;
  TIFF* tif = TIFFOpen(path.c_str(), "r");
  if (!tif) return s;
  std::uint32_t w = 0, h = 0;
  TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
  s.width = static_cast<int>(w);
  std::uint16_t photometric = PHOTOMETRIC_MINISWHITE;
  TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric);
  std::vector<std::uint8_t> row(static_cast<std::size_t>(TIFFScanlineSize(tif)));
  const std::uint32_t top = std::min<std::uint32_t>(h, kBlankTop - 10);
  for (std::uint32_t y = 0; y < top; ++y) {
    if (TIFFReadScanline(tif, row.data(), y, 0) < 0) break;
    for (auto b : row) {
      const std::uint8_t black = photometric == PHOTOMETRIC_MINISWHITE ? b : ~b;
      s.black_top_pixels += __builtin_popcount(black);
    }
  }
  do {
    ++s.pages;
  } while (TIFFReadDirectory(tif));
  TIFFClose(tif);
  return s;
}

}  // namespace faxd::test
