#pragma once
// Grey page to bilevel fax page (internal), tuned for coded size: every black/white transition
// costs bits on the line.
//
// 1. The page background (the brightest strong histogram peak) is stretched to white and every
//    near-white pixel becomes white, so a scan's off-white paper codes as empty lines.
// 2. Picture regions are found on 16x16 tiles: a picture is a connected area of tiles with no
//    paper showing, containing enough mid-grey tiles; its bounding box (plus one tile) is a
//    picture region. Text anti-aliasing and scanned text edges do not qualify.
// 3. Outside pictures: a 50% threshold and removal of isolated specks. Inside: a light blur
//    (film grain would fray the dots) and a clustered-dot ordered dither whose dots line up
//    vertically, which G4's vertical mode codes cheaply.
//
// Pure function of its input; thread-safe.
#include "raster.hpp"

namespace faxd::document {

struct BinarizeStats {
  int picture_regions = 0;
  int picture_tiles = 0;
};

// `grey` is modified (normalized in place). `y_dpi` shapes the dither cell so dots stay round.
Bitmap binarize(GreyImage& grey, double y_dpi, BinarizeStats* stats = nullptr);

}  // namespace faxd::document
