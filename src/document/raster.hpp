#pragma once
// In-memory page images passed between the stages of the document pipeline (internal).
// GreyImage: 8-bit, 0 = black, 255 = white, rows packed (stride = width).
// Bitmap: 1 bit a pixel, MSB first, 1 = black (the fax convention), rows padded to whole bytes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace faxd::document {

// An allocator whose resize() leaves bytes uninitialized: page buffers are megabytes that are
// written in full right after, and zeroing them first is a measurable share of a text page.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <class U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

struct GreyImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t, UninitializedAllocator<std::uint8_t>> pixels;

  GreyImage() = default;
  GreyImage(int w, int h, std::uint8_t fill = 255)
      : width(w), height(h), pixels(std::size_t(w) * std::size_t(h), fill) {}
  std::uint8_t* row(int y) { return pixels.data() + std::size_t(y) * std::size_t(width); }
  const std::uint8_t* row(int y) const {
    return pixels.data() + std::size_t(y) * std::size_t(width);
  }
};

struct Bitmap {
  int width = 0;
  int height = 0;
  int stride = 0;  // bytes a row
  std::vector<std::uint8_t> bits;

  Bitmap() = default;
  Bitmap(int w, int h)
      : width(w), height(h), stride((w + 7) / 8), bits(std::size_t(stride) * std::size_t(h), 0) {}
  std::uint8_t* row(int y) { return bits.data() + std::size_t(y) * std::size_t(stride); }
  const std::uint8_t* row(int y) const {
    return bits.data() + std::size_t(y) * std::size_t(stride);
  }
  bool black(int x, int y) const { return (row(y)[x >> 3] >> (7 - (x & 7))) & 1; }
};

// A page ready for the TIFF-F writer: its G4 data and geometry.
struct EncodedPage {
  int width = 0;
  int height = 0;
  double x_dpi = 204;
  double y_dpi = 196;
  std::string g4;
};

}  // namespace faxd::document
