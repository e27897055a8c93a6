// Our G4 encoder against libtiff's decoder: every pattern must come back bit for bit.
#include <gtest/gtest.h>

#include <random>

#include "fax_tiff_writer.hpp"
#include "g4_codec.hpp"
#include "temp_dir.hpp"
#include "tiff_handle.hpp"
#include "tiff_pages.hpp"

using namespace faxd::document;

namespace {

Bitmap round_trip(const Bitmap& in) {
  faxd::test::TempDir dir;
  auto g4 = encode_g4(in);
  EXPECT_TRUE(g4);
  {
    auto w = FaxTiffWriter::create(dir.file("p.tiff"));
    EXPECT_TRUE(w);
    EXPECT_TRUE(w->add_page(EncodedPage{in.width, in.height, 204, 196, *g4}, 0, 1));
    EXPECT_TRUE(w->finish());
  }
  auto tif = open_tiff(dir.file("p.tiff"), "r");
  EXPECT_TRUE(tif);
  auto info = read_page_info(tif->get(), 1);
  EXPECT_TRUE(info);
  auto out = read_bitmap(tif->get(), *info, 1);
  EXPECT_TRUE(out) << (out ? "" : out.error().message);
  return out ? *out : Bitmap{};
}

void expect_same(const Bitmap& a, const Bitmap& b) {
  ASSERT_EQ(a.width, b.width);
  ASSERT_EQ(a.height, b.height);
  for (int y = 0; y < a.height; ++y)
    for (int x = 0; x < a.width; ++x)
      ASSERT_EQ(a.black(x, y), b.black(x, y)) << "pixel " << x << "," << y;
}

void set(Bitmap& b, int x, int y) {
  b.row(y)[x >> 3] |= std::uint8_t(0x80 >> (x & 7));
}

}  // namespace

TEST(G4, NoiseSolidsAndStripes) {
  std::mt19937 rng(42);
  Bitmap noise(1728, 64), black(1728, 8), white(1728, 8), stripes(1728, 32);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 1728; ++x)
      if (rng() % (1 + y % 7) == 0) set(noise, x, y);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 1728; ++x) set(black, x, y);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 1728; ++x)
      if ((x + y) / (1 + y % 5) % 2) set(stripes, x, y);
  for (const Bitmap* b : {&noise, &black, &white, &stripes}) expect_same(*b, round_trip(*b));
}

TEST(G4, OddWidthsAndLongRuns) {
  for (int width : {1, 7, 9, 1001, 6000}) {
    Bitmap b(width, 6);
    for (int y = 0; y < 6; ++y)
      for (int x = 0; x < width; ++x)
        if ((y == 1 && x > width / 3) || (y == 3 && x % 97 < 40) || (y == 5 && x == width - 1))
          set(b, x, y);
    expect_same(b, round_trip(b));
  }
}
