#pragma once
// 8-bit greyscale PNG in memory with libpng (internal). Thread-safe.
#include <string>

#include "faxd/common/error.hpp"
#include "raster.hpp"

namespace faxd::document {

Result<std::string> encode_png(const GreyImage& image);

}  // namespace faxd::document
