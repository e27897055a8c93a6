#include "tiff_handle.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>

namespace faxd::document {

void silence_libtiff() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    TIFFSetErrorHandler(nullptr);
    TIFFSetWarningHandler(nullptr);
  });
}

Result<TiffPtr> open_tiff(const std::string& path, const char* mode) {
  silence_libtiff();
  TiffPtr tif(TIFFOpen(path.c_str(), mode));
  if (!tif) {
    if (mode[0] == 'r') return fail(Errc::invalid_argument, "not a readable TIFF file");
    return fail(Errc::io, "cannot create " + path);
  }
  return tif;
}

// libtiff client procedures over MemoryTiff's buffer. They never throw (C callbacks).
struct MemoryTiffIo {
  static MemoryTiff& self(thandle_t h) { return *static_cast<MemoryTiff*>(h); }

  static tmsize_t read(thandle_t h, void* buf, tmsize_t size) noexcept {
    auto& m = self(h);
    if (size < 0 || m.pos_ >= m.bytes_.size()) return 0;
    std::size_t n = std::min<std::size_t>(std::size_t(size), m.bytes_.size() - m.pos_);
    std::memcpy(buf, m.bytes_.data() + m.pos_, n);
    m.pos_ += n;
    return tmsize_t(n);
  }
  static tmsize_t write(thandle_t h, void* buf, tmsize_t size) noexcept {
    auto& m = self(h);
    if (size < 0) return -1;
    try {
      std::size_t end = m.pos_ + std::size_t(size);
      if (end > m.bytes_.size()) m.bytes_.resize(end);
      std::memcpy(m.bytes_.data() + m.pos_, buf, std::size_t(size));
      m.pos_ = end;
      return size;
    } catch (...) {
      return -1;
    }
  }
  static toff_t seek(thandle_t h, toff_t off, int whence) noexcept {
    auto& m = self(h);
    std::uint64_t base = whence == SEEK_CUR ? m.pos_ : whence == SEEK_END ? m.bytes_.size() : 0;
    std::uint64_t target = base + off;  // toff_t is unsigned; relative seeks wrap as intended
    if (target > (1ull << 40)) return toff_t(-1);
    m.pos_ = std::size_t(target);
    return target;
  }
  static int close(thandle_t) noexcept { return 0; }
  static toff_t size(thandle_t h) noexcept { return self(h).bytes_.size(); }
  static int map(thandle_t, void**, toff_t*) noexcept { return 0; }
  static void unmap(thandle_t, void*, toff_t) noexcept {}

  static TIFF* open(MemoryTiff& m, const char* mode) {
    silence_libtiff();
    return TIFFClientOpen("memory", mode, &m, read, write, seek, close, size, map, unmap);
  }
};

MemoryTiff::MemoryTiff() {
  tif_.reset(MemoryTiffIo::open(*this, "w"));
}

MemoryTiff::MemoryTiff(std::string bytes) : bytes_(std::move(bytes)) {
  tif_.reset(MemoryTiffIo::open(*this, "r"));
}

MemoryTiff::~MemoryTiff() {
  tif_.reset();
}

std::string MemoryTiff::release() {
  tif_.reset();
  return std::move(bytes_);
}

}  // namespace faxd::document
