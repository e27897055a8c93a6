#pragma once
// CCITT T.6 (G4) coding of one bilevel page through libtiff's codec, in memory (internal).
// Threads: independent calls may run concurrently.
#include <string>

#include "faxd/common/error.hpp"
#include "raster.hpp"

namespace faxd::document {

// The T.6 data of `bitmap` (1 = black), MSB-first fill order, no EOFB padding beyond libtiff's.
Result<std::string> encode_g4(const Bitmap& bitmap);

}  // namespace faxd::document
