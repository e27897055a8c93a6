#include "pdf_source.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>

#include <Error.h>
#include <ErrorCodes.h>
#include <GlobalParams.h>
#include <PDFDoc.h>
#include <Page.h>
#include <SplashOutputDev.h>
#include <Stream.h>
#include <splash/SplashBitmap.h>

#include "page_layout.hpp"

namespace faxd::document {

namespace {

void ignore_poppler_message(ErrorCategory, Goffset, const char*) noexcept {}

// Poppler's core keeps its settings in one global; faxd sets it up once and never tears it down
// (nothing else in the process uses poppler).
void init_poppler() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (!globalParams) globalParams = std::make_unique<GlobalParams>();
    setErrorCallback(ignore_poppler_message);
  });
}

struct Deadline {
  std::chrono::steady_clock::time_point at;
};

bool past_deadline(void* data) noexcept {
  return std::chrono::steady_clock::now() > static_cast<Deadline*>(data)->at;
}

std::string page_name(int index) {
  return "page " + std::to_string(index + 1) + " of the PDF";
}

}  // namespace

PdfSource::PdfSource() = default;
PdfSource::PdfSource(PdfSource&&) noexcept = default;
PdfSource& PdfSource::operator=(PdfSource&&) noexcept = default;
PdfSource::~PdfSource() = default;

Result<PdfSource> PdfSource::open(std::shared_ptr<const std::string> bytes) {
  init_poppler();
  PdfSource src;
  src.bytes_ = std::move(bytes);
  // MemStream reads the shared buffer in place; the PDFDoc owns the stream object.
  auto* stream = new MemStream(src.bytes_->data(), 0, Goffset(src.bytes_->size()), Object(objNull));
  src.doc_ = std::make_unique<PDFDoc>(stream);
  if (!src.doc_->isOk()) {
    if (src.doc_->getErrorCode() == errEncrypted)
      return fail(Errc::unsupported, "the PDF is encrypted with a password; send it unprotected");
    return fail(Errc::invalid_argument, "the PDF is damaged and cannot be read");
  }
  return src;
}

int PdfSource::page_count() const {
  return doc_->getNumPages();
}

Result<PageSize> PdfSource::page_size(int index) const {
  Page* page = doc_->getPage(index + 1);
  if (!page) return fail(Errc::invalid_argument, page_name(index) + " is damaged");
  PageSize size{std::abs(page->getCropWidth()) / 72.0, std::abs(page->getCropHeight()) / 72.0};
  if (page->getRotate() == 90 || page->getRotate() == 270) std::swap(size.width_in, size.height_in);
  return size;
}

Result<void> PdfSource::render(int index, double line_dpi, GreyImage& canvas) {
  auto size = page_size(index);
  if (!size) return std::unexpected(size.error());
  PageLayout layout = layout_page(size->width_in, size->height_in, line_dpi);

  if (!device_) {
    // No paper colour: poppler then keeps the alpha channel instead of compositing the page onto
    // white in a pass of its own; the copy below composites while it moves the bytes anyway.
    device_ = std::make_unique<SplashOutputDev>(splashModeMono8, 1, false, nullptr);
    // Glyphs: hinted, not anti-aliased. Anti-aliased glyphs are positioned at sub-pixel
    // offsets and rasterized again and again (two thirds of the CPU of a text page), only to be
    // thresholded back to one bit here. Vector anti-aliasing stays on: a hairline then
    // renders as the faint line a viewer shows, not as solid black pixels.
    device_->setFontAntialias(false);
    device_->setVectorAntialias(true);
    device_->setFreeTypeHinting(true, false);
    device_->startDoc(doc_.get());
  }
  Deadline deadline{std::chrono::steady_clock::now() + kPageDeadline};
  doc_->displayPageSlice(device_.get(), index + 1, layout.x_dpi, layout.y_dpi,
                         layout.rotate ? 90 : 0, false, true, false, -1, -1, -1, -1, past_deadline,
                         &deadline);
  if (past_deadline(&deadline))
    return fail(Errc::timeout, page_name(index) + " takes too long to render");
  SplashBitmap* bitmap = device_->getBitmap();
  if (!bitmap || bitmap->getMode() != splashModeMono8)
    return fail(Errc::invalid_argument, page_name(index) + " cannot be rendered");

  // Composite onto white while copying onto the fax canvas: margins white, the page centred.
  const unsigned char* alpha = bitmap->getAlphaPtr();
  if (!alpha) return fail(Errc::internal, page_name(index) + ": no alpha channel");
  canvas.width = layout.width;
  canvas.height = layout.height;
  canvas.pixels.resize(std::size_t(layout.width) * std::size_t(layout.height));
  int w = bitmap->getWidth(), h = std::min(bitmap->getHeight(), layout.height);
  int dst_x = (layout.width - w) / 2;  // negative: crop both sides (Letter)
  int src_x = 0;
  if (dst_x < 0) src_x = -dst_x, dst_x = 0;
  int n = std::max(0, std::min(w - src_x, layout.width - dst_x));
  const unsigned char* data = bitmap->getDataPtr();
  std::size_t row_size = std::size_t(bitmap->getRowSize());
  std::size_t alpha_size = std::size_t(bitmap->getWidth());
  for (int y = 0; y < layout.height; ++y) {
    std::uint8_t* row = canvas.row(y);
    if (y >= h) {
      std::memset(row, 255, std::size_t(layout.width));
      continue;
    }
    std::memset(row, 255, std::size_t(dst_x));
    const unsigned char* c = data + std::size_t(y) * row_size + std::size_t(src_x);
    const unsigned char* a = alpha + std::size_t(y) * alpha_size + std::size_t(src_x);
    std::uint8_t* o = row + dst_x;
    int x = 0;
    for (; x + 8 <= n; x += 8) {
      std::uint64_t covered;
      std::memcpy(&covered, a + x, 8);
      if (covered == 0) {  // nothing drawn here: paper
        std::memset(o + x, 255, 8);
        continue;
      }
      if (covered == ~std::uint64_t{0}) {  // fully drawn (glyphs are not anti-aliased)
        std::memcpy(o + x, c + x, 8);
        continue;
      }
      for (int i = x; i < x + 8; ++i) o[i] = std::uint8_t(255 - ((255 - c[i]) * a[i] + 127) / 255);
    }
    for (; x < n; ++x) o[x] = std::uint8_t(255 - ((255 - c[x]) * a[x] + 127) / 255);
    std::memset(row + dst_x + n, 255, std::size_t(layout.width - dst_x - n));
  }
  return {};
}

}  // namespace faxd::document
