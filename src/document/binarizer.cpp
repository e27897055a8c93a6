#include "binarizer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <vector>

namespace faxd::document {

namespace {

constexpr int kTile = 16;
constexpr int kWhiteFrom = 224;  // after background stretch, this and lighter is paper
constexpr int kThreshold = 128;  // text: black below half the paper's brightness
constexpr int kMidLow = 48;      // "mid-grey": neither ink nor paper
constexpr int kMidHigh = 208;
constexpr int kSeedPercent = 50;   // a tile this mid-grey looks like a photograph
constexpr int kSolidPercent = 85;  // a tile this covered shows no paper
constexpr int kMinSeedTiles = 12;  // a picture smaller than this is an ornament: threshold it

// The paper level: the strongest peak among the light half of the histogram.
int background_level(const GreyImage& grey) {
  std::array<std::uint64_t, 256> hist{};
  // Every 8th row and 2nd column is plenty to find a peak and saves a pass over megabytes.
  for (int y = 0; y < grey.height; y += 8) {
    const std::uint8_t* r = grey.row(y);
    for (int x = 0; x < grey.width; x += 2) ++hist[r[x]];
  }
  int best = 255;
  std::uint64_t best_count = 0;
  for (int v = 128; v < 256; ++v) {
    std::uint64_t c = 0;
    for (int d = -2; d <= 2; ++d) {
      int i = v + d;
      if (i >= 128 && i < 256) c += hist[std::size_t(i)];
    }
    if (c >= best_count) {  // ties go to the lighter level
      best_count = c;
      best = v;
    }
  }
  return std::max(best, 160);  // never stretch a dark page into mush
}

// Clustered-dot threshold matrix: pixels ordered by distance from the cell centre, so a dot
// grows round from the middle. Cell is `w` x `h` pixels (h smaller at standard resolution).
struct DitherCell {
  int w = 8;
  int h = 8;
  std::vector<std::uint8_t> t;

  DitherCell(int cw, int ch) : w(cw), h(ch), t(std::size_t(cw * ch)) {
    std::vector<int> order(std::size_t(w * h));
    std::iota(order.begin(), order.end(), 0);
    auto dist = [&](int i) {
      double dx = (i % w + 0.5 - w / 2.0) / w;
      double dy = (i / w + 0.5 - h / 2.0) / h;
      return dx * dx + dy * dy + 1e-6 * std::atan2(dy, dx);
    };
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return dist(a) < dist(b); });
    for (std::size_t rank = 0; rank < order.size(); ++rank)
      t[std::size_t(order[rank])] = std::uint8_t((rank + 0.5) * 256.0 / double(order.size()));
  }
  // The thresholds of row y: black where the grey value is darker than row[x % w].
  const std::uint8_t* row(int y) const { return t.data() + std::size_t((y % h) * w); }
};

struct TileGrid {
  int cols = 0;
  int rows = 0;
  std::vector<std::uint8_t> picture;  // 1: dither this tile
};

// `lut` maps raw grey to normalized grey (paper white); the image itself is still raw.
TileGrid find_pictures(const GreyImage& g, const std::array<std::uint8_t, 256>& lut,
                       BinarizeStats* stats) {
  TileGrid grid;
  grid.cols = (g.width + kTile - 1) / kTile;
  grid.rows = (g.height + kTile - 1) / kTile;
  std::size_t n = std::size_t(grid.cols) * std::size_t(grid.rows);
  // One table lookup a pixel: low byte counts mid-grey, high byte counts "not paper".
  std::array<std::uint16_t, 256> cls{};
  for (int v = 0; v < 256; ++v)
    cls[std::size_t(v)] =
        std::uint16_t((lut[std::size_t(v)] >= kMidLow && lut[std::size_t(v)] < kMidHigh ? 1 : 0) |
                      (lut[std::size_t(v)] < 255 ? 0x100 : 0));
  // Tile statistics are fractions: every other row and column is a fair sample, at a quarter of
  // the cost.
  std::vector<std::uint16_t> mid(n, 0), covered(n, 0), area(n, 0);
  for (int y = 0; y < g.height; y += 2) {
    const std::uint8_t* r = g.row(y);
    std::size_t base = std::size_t(y / kTile) * std::size_t(grid.cols);
    for (int tx = 0; tx < grid.cols; ++tx) {
      int x0 = tx * kTile, x1 = std::min(g.width, x0 + kTile);
      unsigned sum = 0;
      for (int x = x0; x < x1; x += 2) sum += cls[r[x]];
      mid[base + std::size_t(tx)] += std::uint16_t(sum & 0xff);
      covered[base + std::size_t(tx)] += std::uint16_t(sum >> 8);
      area[base + std::size_t(tx)] += std::uint16_t((x1 - x0 + 1) / 2);
    }
  }
  std::vector<std::uint8_t> seed(n), solid(n);
  for (std::size_t i = 0; i < n; ++i) {
    seed[i] = mid[i] * 100 >= area[i] * kSeedPercent;
    solid[i] = seed[i] || covered[i] * 100 >= area[i] * kSolidPercent;
  }
  grid.picture.assign(n, 0);
  std::vector<std::uint8_t> seen(n, 0);
  std::vector<std::size_t> stack;
  for (std::size_t start = 0; start < n; ++start) {
    if (!seed[start] || seen[start]) continue;
    // Flood the connected solid area around this seed; keep its bounding box.
    int x0 = grid.cols, y0 = grid.rows, x1 = -1, y1 = -1, seeds = 0;
    stack.assign(1, start);
    seen[start] = 1;
    while (!stack.empty()) {
      std::size_t i = stack.back();
      stack.pop_back();
      int tx = int(i % std::size_t(grid.cols)), ty = int(i / std::size_t(grid.cols));
      x0 = std::min(x0, tx), x1 = std::max(x1, tx), y0 = std::min(y0, ty), y1 = std::max(y1, ty);
      seeds += seed[i];
      const int nx[4] = {tx - 1, tx + 1, tx, tx};
      const int ny[4] = {ty, ty, ty - 1, ty + 1};
      for (int k = 0; k < 4; ++k) {
        if (nx[k] < 0 || ny[k] < 0 || nx[k] >= grid.cols || ny[k] >= grid.rows) continue;
        std::size_t j = std::size_t(ny[k]) * std::size_t(grid.cols) + std::size_t(nx[k]);
        if (solid[j] && !seen[j]) {
          seen[j] = 1;
          stack.push_back(j);
        }
      }
    }
    if (seeds < kMinSeedTiles) continue;
    x0 = std::max(0, x0 - 1), y0 = std::max(0, y0 - 1);
    x1 = std::min(grid.cols - 1, x1 + 1), y1 = std::min(grid.rows - 1, y1 + 1);
    for (int ty = y0; ty <= y1; ++ty)
      for (int tx = x0; tx <= x1; ++tx)
        grid.picture[std::size_t(ty) * std::size_t(grid.cols) + std::size_t(tx)] = 1;
    if (stats) ++stats->picture_regions;
  }
  if (stats) stats->picture_tiles = int(std::count(grid.picture.begin(), grid.picture.end(), 1));
  return grid;
}

// Calls f(x0, x1) for each run of picture tiles in tile row `ty`, as pixel columns [x0, x1).
template <class F>
void for_picture_spans(const TileGrid& grid, int ty, int width, F&& f) {
  const std::uint8_t* pic = grid.picture.data() + std::size_t(ty) * std::size_t(grid.cols);
  for (int tx = 0; tx < grid.cols;) {
    if (!pic[tx]) {
      ++tx;
      continue;
    }
    int end = tx;
    while (end < grid.cols && pic[end]) ++end;
    f(tx * kTile, std::min(width, end * kTile));
    tx = end;
  }
}

// Whether tile row `ty` holds any picture tile.
bool row_has_picture(const TileGrid& grid, int ty) {
  const auto* pic = grid.picture.data() + std::size_t(ty) * std::size_t(grid.cols);
  return std::find(pic, pic + grid.cols, 1) != pic + grid.cols;
}

// 3x3 box blur of the picture tiles only, in place, top to bottom: the unblurred copies of the
// row above and of this row are kept aside (the row below is not blurred yet), so no copy of
// the page is needed.
void soften_pictures(GreyImage& g, const TileGrid& grid) {
  std::vector<std::uint8_t> above(std::size_t(g.width)), here(std::size_t(g.width));
  bool above_blurred = false;  // row y-1 was blurred: its unblurred copy is in `above`
  for (int y = 0; y < g.height; ++y) {
    if (!row_has_picture(grid, y / kTile)) {
      above_blurred = false;
      continue;
    }
    std::uint8_t* out = g.row(y);
    std::copy_n(out, g.width, here.begin());
    const std::uint8_t* up = y == 0 ? here.data() : above_blurred ? above.data() : g.row(y - 1);
    const std::uint8_t* mid = here.data();
    const std::uint8_t* down = y + 1 < g.height ? g.row(y + 1) : here.data();
    for_picture_spans(grid, y / kTile, g.width, [&](int x0, int x1) {
      for (int x = x0; x < x1; ++x) {
        int l = std::max(0, x - 1), r = std::min(g.width - 1, x + 1);
        int sum = up[l] + up[x] + up[r] + mid[l] + mid[x] + mid[r] + down[l] + down[x] + down[r];
        out[x] = std::uint8_t(sum / 9);
      }
    });
    std::swap(above, here);
    above_blurred = true;
  }
}

// Clears black pixels with no black 8-neighbour outside pictures: scan dust costs a code each.
// Works a byte (8 pixels) at a time.
void remove_specks(Bitmap& bm, const TileGrid& grid) {
  std::vector<std::uint8_t> zero(std::size_t(bm.stride) + 2, 0);
  std::vector<std::uint8_t> prev(std::size_t(bm.stride) + 2, 0);
  std::vector<std::uint8_t> cur(std::size_t(bm.stride) + 2, 0);
  std::vector<std::uint8_t> below(std::size_t(bm.stride) + 2, 0);
  // Pixel b's horizontal neighbours (and itself with `self`), from padded row p at byte i+1.
  auto spread = [](const std::uint8_t* p, std::size_t i, bool self) {
    unsigned b = p[i + 1];
    unsigned m = (b >> 1) | (b << 1) | (unsigned(p[i]) << 7) | (unsigned(p[i + 2]) >> 7);
    return std::uint8_t((self ? m | b : m) & 0xff);
  };
  for (int y = 0; y < bm.height; ++y) {
    std::copy_n(bm.row(y), bm.stride, cur.begin() + 1);
    const std::uint8_t* next = zero.data();
    if (y + 1 < bm.height) {
      std::copy_n(bm.row(y + 1), bm.stride, below.begin() + 1);
      next = below.data();
    }
    std::uint8_t* r = bm.row(y);
    const std::uint8_t* pic = grid.picture.data() + std::size_t(y / kTile) * std::size_t(grid.cols);
    for (std::size_t i = 0; i < std::size_t(bm.stride); ++i) {
      std::uint8_t b = cur[i + 1];
      if (!b || pic[i * 8 / kTile]) continue;
      std::uint8_t near =
          spread(cur.data(), i, false) | spread(prev.data(), i, true) | spread(next, i, true);
      r[i] = std::uint8_t(b & near);  // keep only pixels with a black neighbour
    }
    std::swap(prev, cur);
  }
}

}  // namespace

Bitmap binarize(GreyImage& grey, double y_dpi, BinarizeStats* stats) {
  Bitmap out(grey.width, grey.height);
  if (grey.width == 0 || grey.height == 0) return out;

  int bg = background_level(grey);
  std::array<std::uint8_t, 256> lut{};
  for (int v = 0; v < 256; ++v) {
    int s = std::min(255, v * 255 / bg);
    lut[std::size_t(v)] = std::uint8_t(s >= kWhiteFrom ? 255 : s);
  }
  // The page stays raw; tables below compose the normalization with each use, and only
  // picture tiles (rare) are normalized in place, for the blur and the dither.
  TileGrid grid = find_pictures(grey, lut, stats);
  bool any_picture = std::find(grid.picture.begin(), grid.picture.end(), 1) != grid.picture.end();
  if (any_picture) {
    for (int y = 0; y < grey.height; ++y) {
      std::uint8_t* r = grey.row(y);
      for_picture_spans(grid, y / kTile, grey.width, [&](int x0, int x1) {
        for (int x = x0; x < x1; ++x) r[x] = lut[r[x]];
      });
    }
    soften_pictures(grey, grid);
  }

  int cell_h = std::max(2, int(std::lround(8.0 * y_dpi / 204.0)));
  DitherCell cell(8, cell_h);
  std::array<std::uint8_t, 256> ink{};  // 1: black under the text threshold
  for (int v = 0; v < 256; ++v) ink[std::size_t(v)] = lut[std::size_t(v)] < kThreshold;
  for (int y = 0; y < grey.height; ++y) {
    const std::uint8_t* in = grey.row(y);
    std::uint8_t* o = out.row(y);
    const std::uint8_t* pic = grid.picture.data() + std::size_t(y / kTile) * std::size_t(grid.cols);
    const std::uint8_t* dots = cell.row(y);
    for (int bx = 0; bx < out.stride; ++bx) {
      int x0 = bx * 8, x1 = std::min(grey.width, x0 + 8);
      if (x1 - x0 == 8) {
        std::uint64_t word;
        std::memcpy(&word, in + x0, 8);
        if (word == ~std::uint64_t{0}) continue;  // eight white pixels: the common case
      }
      unsigned byte = 0;
      if (pic[x0 / kTile]) {
        // The cell is 8 pixels wide: a byte of output is one row of it.
        for (int x = x0; x < x1; ++x) byte |= unsigned(in[x] < dots[x - x0]) << (7 - (x - x0));
      } else {
        for (int x = x0; x < x1; ++x) byte |= unsigned(ink[in[x]]) << (7 - (x - x0));
      }
      o[bx] = std::uint8_t(byte);
    }
  }
  remove_specks(out, grid);
  return out;
}

}  // namespace faxd::document
