#include "png_encoder.hpp"

#include <png.h>

namespace faxd::document {

namespace {

struct Sink {
  std::string* out;
  bool failed = false;
};

// libpng calls this from C; it must not throw. On failure png_error longjmps back to
// encode_png's setjmp, after the catch block is left.
void write_bytes(png_structp png, png_bytep data, png_size_t size) noexcept {
  auto* sink = static_cast<Sink*>(png_get_io_ptr(png));
  try {
    sink->out->append(reinterpret_cast<const char*>(data), size);
  } catch (...) {
    sink->failed = true;
  }
  if (sink->failed) png_error(png, "out of memory");
}

void flush_nothing(png_structp) noexcept {}

}  // namespace

Result<std::string> encode_png(const GreyImage& image) {
  std::string out;
  Sink sink{&out};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (!png) return fail(Errc::internal, "cannot start PNG coding");
  png_infop info = png_create_info_struct(png);
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, info ? &info : nullptr);
    return fail(Errc::internal, "PNG coding failed");
  }
  png_set_write_fn(png, &sink, write_bytes, flush_nothing);
  png_set_IHDR(png, info, png_uint_32(image.width), png_uint_32(image.height), 8,
               PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < image.height; ++y)
    png_write_row(png, const_cast<png_bytep>(image.row(y)));  // libpng does not modify rows
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

}  // namespace faxd::document
