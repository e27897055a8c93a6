#pragma once
// Files compiled into the binary by cmake/Embed.cmake (web assets, SQL migrations).
#include <span>
#include <string_view>

namespace faxd {

struct EmbeddedFile {
  std::string_view path;  // relative to the embedded folder, '/'-separated
  std::string_view data;
};

}  // namespace faxd
