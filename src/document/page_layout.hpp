#pragma once
// Where a source page lands on a fax page (internal). Pure arithmetic, unit-tested.
//
// Rules: landscape pages are turned to portrait; a page whose width at 204 dpi is within
// [0.85, 1.01] x 1728 px (A4, Letter) keeps its natural scale (Letter's 6 extra pixels are
// cropped), so A4/Letter keep their height in lines; narrower pages are enlarged and wider ones
// reduced to 1728 px, keeping the aspect ratio; a page longer than kMaxPageInches after that is
// reduced to fit. The image is centred horizontally.
namespace faxd::document {

inline constexpr int kFaxWidth = 1728;
inline constexpr double kFaxXDpi = 204.0;
inline constexpr double kMaxPageInches = 17.0;  // longest fax page we emit (beyond B4)

struct PageLayout {
  bool rotate = false;    // turn the page 90 degrees (it was landscape)
  double scale = 1.0;     // applied to the page's physical size
  double x_dpi = 0;       // render resolution: kFaxXDpi * scale
  double y_dpi = 0;       // render resolution: line dpi * scale
  int width = kFaxWidth;  // output pixels
  int height = 0;         // output lines
};

// width_in/height_in: the page as displayed (after its own /Rotate), in inches.
PageLayout layout_page(double width_in, double height_in, double line_dpi);

}  // namespace faxd::document
