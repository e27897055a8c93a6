#include "page_layout.hpp"

#include <algorithm>
#include <cmath>

namespace faxd::document {

PageLayout layout_page(double width_in, double height_in, double line_dpi) {
  PageLayout out;
  if (width_in > height_in) {
    out.rotate = true;
    std::swap(width_in, height_in);
  }
  width_in = std::max(width_in, 0.01);
  height_in = std::max(height_in, 0.01);
  double natural = width_in * kFaxXDpi;
  double scale = 1.0;
  if (natural < 0.85 * kFaxWidth || natural > 1.01 * kFaxWidth) scale = kFaxWidth / natural;
  if (height_in * scale > kMaxPageInches) scale = kMaxPageInches / height_in;
  out.scale = scale;
  out.x_dpi = kFaxXDpi * scale;
  out.y_dpi = line_dpi * scale;
  out.height = std::max(1, int(std::lround(height_in * scale * line_dpi)));
  return out;
}

}  // namespace faxd::document
