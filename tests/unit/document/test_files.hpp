#pragma once
// Helpers for the document tests: the shared corpus, small hand-made PDFs, file I/O.
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "pdf_maker.hpp"

namespace faxd::test {

inline std::string corpus(const std::string& rel) {
  return std::string(FAXD_SHARED_DIR) + "/corpus/" + rel;
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace faxd::test
