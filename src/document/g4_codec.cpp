#include "g4_codec.hpp"

#include "tiff_handle.hpp"

namespace faxd::document {

Result<std::string> encode_g4(const Bitmap& bitmap) {
  if (bitmap.width <= 0 || bitmap.height <= 0) return fail(Errc::internal, "empty page image");
  MemoryTiff mem;
  TIFF* tif = mem.tif();
  if (!tif) return fail(Errc::internal, "cannot open an in-memory TIFF");
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, std::uint32_t(bitmap.width));
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, std::uint32_t(bitmap.height));
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 1);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
  TIFFSetField(tif, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, std::uint32_t(bitmap.height));
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  // libtiff takes a non-const buffer but does not modify it for CCITT coding.
  auto* data = const_cast<std::uint8_t*>(bitmap.bits.data());
  if (TIFFWriteEncodedStrip(tif, 0, data, tmsize_t(bitmap.bits.size())) < 0)
    return fail(Errc::internal, "G4 coding failed");
  // The strip is in the buffer now; its place is known before the directory is written.
  std::uint64_t* offsets = nullptr;
  std::uint64_t* counts = nullptr;
  if (!TIFFGetField(tif, TIFFTAG_STRIPOFFSETS, &offsets) ||
      !TIFFGetField(tif, TIFFTAG_STRIPBYTECOUNTS, &counts) || !offsets || !counts)
    return fail(Errc::internal, "G4 coding failed");
  std::uint64_t off = offsets[0];
  std::uint64_t len = counts[0];
  std::string bytes = mem.release();  // closing writes the directory after the strip
  if (off + len > bytes.size()) return fail(Errc::internal, "G4 coding failed");
  return bytes.substr(std::size_t(off), std::size_t(len));
}

}  // namespace faxd::document
