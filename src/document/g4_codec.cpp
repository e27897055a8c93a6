// CCITT T.6 (G4) encoder over packed rows. Per line: find changing elements with word-wide
// scans, then pass / vertical / horizontal mode as T.6 section 2.2 describes. Run-length codes
// are the modified Huffman codes of ITU-T T.4 tables 2 and 3.
#include "g4_codec.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

namespace faxd::document {

namespace {

struct Code {
  std::uint16_t bits;  // the code, right-aligned
  std::uint8_t length;
};

// T.4 table 2: terminating codes, run lengths 0..63.
constexpr std::array<Code, 64> kWhiteTerm = {{
    {0x35, 8}, {0x07, 6}, {0x07, 4}, {0x08, 4}, {0x0B, 4}, {0x0C, 4}, {0x0E, 4}, {0x0F, 4},
    {0x13, 5}, {0x14, 5}, {0x07, 5}, {0x08, 5}, {0x08, 6}, {0x03, 6}, {0x34, 6}, {0x35, 6},
    {0x2A, 6}, {0x2B, 6}, {0x27, 7}, {0x0C, 7}, {0x08, 7}, {0x17, 7}, {0x03, 7}, {0x04, 7},
    {0x28, 7}, {0x2B, 7}, {0x13, 7}, {0x24, 7}, {0x18, 7}, {0x02, 8}, {0x03, 8}, {0x1A, 8},
    {0x1B, 8}, {0x12, 8}, {0x13, 8}, {0x14, 8}, {0x15, 8}, {0x16, 8}, {0x17, 8}, {0x28, 8},
    {0x29, 8}, {0x2A, 8}, {0x2B, 8}, {0x2C, 8}, {0x2D, 8}, {0x04, 8}, {0x05, 8}, {0x0A, 8},
    {0x0B, 8}, {0x52, 8}, {0x53, 8}, {0x54, 8}, {0x55, 8}, {0x24, 8}, {0x25, 8}, {0x58, 8},
    {0x59, 8}, {0x5A, 8}, {0x5B, 8}, {0x4A, 8}, {0x4B, 8}, {0x32, 8}, {0x33, 8}, {0x34, 8},
}};
constexpr std::array<Code, 64> kBlackTerm = {{
    {0x37, 10}, {0x02, 3},  {0x03, 2},  {0x02, 2},  {0x03, 3},  {0x03, 4},  {0x02, 4},  {0x03, 5},
    {0x05, 6},  {0x04, 6},  {0x04, 7},  {0x05, 7},  {0x07, 7},  {0x04, 8},  {0x07, 8},  {0x18, 9},
    {0x17, 10}, {0x18, 10}, {0x08, 10}, {0x67, 11}, {0x68, 11}, {0x6C, 11}, {0x37, 11}, {0x28, 11},
    {0x17, 11}, {0x18, 11}, {0xCA, 12}, {0xCB, 12}, {0xCC, 12}, {0xCD, 12}, {0x68, 12}, {0x69, 12},
    {0x6A, 12}, {0x6B, 12}, {0xD2, 12}, {0xD3, 12}, {0xD4, 12}, {0xD5, 12}, {0xD6, 12}, {0xD7, 12},
    {0x6C, 12}, {0x6D, 12}, {0xDA, 12}, {0xDB, 12}, {0x54, 12}, {0x55, 12}, {0x56, 12}, {0x57, 12},
    {0x64, 12}, {0x65, 12}, {0x52, 12}, {0x53, 12}, {0x24, 12}, {0x37, 12}, {0x38, 12}, {0x27, 12},
    {0x28, 12}, {0x58, 12}, {0x59, 12}, {0x2B, 12}, {0x2C, 12}, {0x5A, 12}, {0x66, 12}, {0x67, 12},
}};
// T.4 table 3: make-up codes for 64, 128, ... 1728.
constexpr std::array<Code, 27> kWhiteMakeup = {{
    {0x1B, 5}, {0x12, 5}, {0x17, 6}, {0x37, 7}, {0x36, 8}, {0x37, 8}, {0x64, 8},
    {0x65, 8}, {0x68, 8}, {0x67, 8}, {0xCC, 9}, {0xCD, 9}, {0xD2, 9}, {0xD3, 9},
    {0xD4, 9}, {0xD5, 9}, {0xD6, 9}, {0xD7, 9}, {0xD8, 9}, {0xD9, 9}, {0xDA, 9},
    {0xDB, 9}, {0x98, 9}, {0x99, 9}, {0x9A, 9}, {0x18, 6}, {0x9B, 9},
}};
constexpr std::array<Code, 27> kBlackMakeup = {{
    {0x0F, 10}, {0xC8, 12}, {0xC9, 12}, {0x5B, 12}, {0x33, 12}, {0x34, 12}, {0x35, 12},
    {0x6C, 13}, {0x6D, 13}, {0x4A, 13}, {0x4B, 13}, {0x4C, 13}, {0x4D, 13}, {0x72, 13},
    {0x73, 13}, {0x74, 13}, {0x75, 13}, {0x76, 13}, {0x77, 13}, {0x52, 13}, {0x53, 13},
    {0x54, 13}, {0x55, 13}, {0x5A, 13}, {0x5B, 13}, {0x64, 13}, {0x65, 13},
}};
// Extended make-up codes, both colours: 1792, 1856, ... 2560.
constexpr std::array<Code, 13> kExtendedMakeup = {{
    {0x08, 11},
    {0x0C, 11},
    {0x0D, 11},
    {0x12, 12},
    {0x13, 12},
    {0x14, 12},
    {0x15, 12},
    {0x16, 12},
    {0x17, 12},
    {0x1C, 12},
    {0x1D, 12},
    {0x1E, 12},
    {0x1F, 12},
}};
constexpr Code kPass{0x1, 4};        // 0001
constexpr Code kHorizontal{0x1, 3};  // 001
// Vertical modes by b1 - a1 + 3: VR3, VR2, VR1, V0, VL1, VL2, VL3.
constexpr std::array<Code, 7> kVertical = {{
    {0x03, 7},
    {0x03, 6},
    {0x03, 3},
    {0x1, 1},
    {0x02, 3},
    {0x02, 6},
    {0x02, 7},
}};
constexpr Code kEol{0x001, 12};

class BitWriter {
 public:
  explicit BitWriter(std::string& out) : out_(out) {}
  void put(Code c) {
    acc_ = (acc_ << c.length) | c.bits;
    used_ += c.length;
    while (used_ >= 8) {
      used_ -= 8;
      out_.push_back(char((acc_ >> used_) & 0xff));
    }
  }
  void flush() {
    if (used_ > 0) out_.push_back(char((acc_ << (8 - used_)) & 0xff));
    used_ = 0;
  }

 private:
  std::string& out_;
  std::uint64_t acc_ = 0;
  int used_ = 0;
};

void put_run(BitWriter& w, int run, bool black) {
  const auto& term = black ? kBlackTerm : kWhiteTerm;
  const auto& makeup = black ? kBlackMakeup : kWhiteMakeup;
  while (run >= 2624) {  // longer than the largest make-up plus a terminator
    w.put(kExtendedMakeup[12]);
    run -= 2560;
  }
  if (run >= 1792) {
    w.put(kExtendedMakeup[std::size_t((run >> 6) - 28)]);
    run &= 63;
  } else if (run >= 64) {
    w.put(makeup[std::size_t((run >> 6) - 1)]);
    run &= 63;
  }
  w.put(term[std::size_t(run)]);
}

// Positions on a row where the colour changes (the first pixel compared with white), then
// three sentinels at `width`. Runs alternate: change 0 starts black, change 1 white, ...
void find_changes(const std::uint8_t* row, int stride, int width, std::vector<int>& out,
                  std::vector<std::uint8_t>& pad) {
  out.clear();
  int words = (stride + 7) / 8;
  pad.assign(std::size_t(words) * 8, 0);
  std::memcpy(pad.data(), row, std::size_t(stride));
  std::uint64_t carry = 0;  // the previous pixel, white before the row
  for (int i = 0; i < words; ++i) {
    std::uint64_t w;
    std::memcpy(&w, pad.data() + std::size_t(i) * 8, 8);
    w = __builtin_bswap64(w);
    std::uint64_t d = w ^ ((w >> 1) | (carry << 63));
    carry = w & 1;
    while (d) {
      int lz = __builtin_clzll(d);
      int pos = i * 64 + lz;
      if (pos >= width) break;
      out.push_back(pos);
      d &= ~(std::uint64_t{1} << (63 - lz));
    }
  }
  out.insert(out.end(), {width, width, width});
}

}  // namespace

Result<std::string> encode_g4(const Bitmap& bitmap) {
  if (bitmap.width <= 0 || bitmap.height <= 0) return fail(Errc::internal, "empty page image");
  const int width = bitmap.width;
  std::string out;
  out.reserve(std::size_t(bitmap.height) * 16);
  BitWriter w(out);
  std::vector<int> ref{width, width, width}, cur;  // the imaginary white line above the page
  std::vector<std::uint8_t> pad;
  for (int y = 0; y < bitmap.height; ++y) {
    find_changes(bitmap.row(y), bitmap.stride, width, cur, pad);
    int a0 = -1;    // the imaginary white pixel before the line
    int color = 0;  // a0's colour: 0 white, 1 black
    std::size_t ci = 0, ri = 0;
    while (a0 < width) {
      while (cur[ci] <= a0) ++ci;
      while (ref[ri] <= a0) ++ri;
      int a1 = cur[ci];
      // b1 starts a run of the colour opposite to a0's: even changes start black runs.
      std::size_t bi = ri + ((ri & 1) != std::size_t(color) ? 1 : 0);
      int b1 = ref[bi], b2 = ref[bi + 1];
      if (b2 < a1) {
        w.put(kPass);
        a0 = b2;
      } else if (int d = b1 - a1; d >= -3 && d <= 3) {
        w.put(kVertical[std::size_t(d + 3)]);
        a0 = a1;
        color ^= 1;
      } else {
        int a2 = cur[ci + 1];
        w.put(kHorizontal);
        put_run(w, a1 - std::max(a0, 0), color);
        put_run(w, a2 - a1, !color);
        a0 = a2;
      }
    }
    std::swap(ref, cur);
  }
  w.put(kEol);  // EOFB: two EOLs
  w.put(kEol);
  w.flush();
  return out;
}

}  // namespace faxd::document
