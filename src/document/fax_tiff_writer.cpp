#include "fax_tiff_writer.hpp"

#include <cstdio>

namespace faxd::document {

Result<FaxTiffWriter> FaxTiffWriter::create(const std::string& path) {
  auto tif = open_tiff(path, "w");
  if (!tif) return std::unexpected(tif.error());
  FaxTiffWriter w;
  w.path_ = path;
  w.tif_ = std::move(*tif);
  return w;
}

FaxTiffWriter::~FaxTiffWriter() {
  if (tif_ && !done_) {
    tif_.reset();
    std::remove(path_.c_str());
  }
}

Result<void> FaxTiffWriter::add_page(const EncodedPage& page, int index, int total) {
  TIFF* tif = tif_.get();
  TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, std::uint32_t(page.width));
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, std::uint32_t(page.height));
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 1);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
  TIFFSetField(tif, TIFFTAG_T6OPTIONS, 0);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
  TIFFSetField(tif, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
  TIFFSetField(tif, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, std::uint32_t(page.height));
  TIFFSetField(tif, TIFFTAG_XRESOLUTION, float(page.x_dpi));
  TIFFSetField(tif, TIFFTAG_YRESOLUTION, float(page.y_dpi));
  TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  TIFFSetField(tif, TIFFTAG_PAGENUMBER, std::uint16_t(index), std::uint16_t(total));
  TIFFSetField(tif, TIFFTAG_CLEANFAXDATA, CLEANFAXDATA_CLEAN);
  TIFFSetField(tif, TIFFTAG_SOFTWARE, "faxd");
  auto* data = const_cast<char*>(page.g4.data());  // libtiff does not modify raw strips
  if (TIFFWriteRawStrip(tif, 0, data, tmsize_t(page.g4.size())) < 0 || !TIFFWriteDirectory(tif))
    return fail(Errc::io, "cannot write " + path_);
  return {};
}

Result<void> FaxTiffWriter::finish() {
  // TIFFClose reports nothing; flush explicitly to catch a full disk.
  if (!TIFFFlush(tif_.get())) return fail(Errc::io, "cannot write " + path_);
  tif_.reset();
  done_ = true;
  return {};
}

}  // namespace faxd::document
