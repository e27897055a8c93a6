// libFuzzer target: a fax upload as the API sees it. The first line of the input is the
// Content-Type header, the rest the request body; the parts must be views into that body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "faxd/http/multipart.hpp"

int fuzz_multipart(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto eol = in.find('\n');
  const auto content_type = in.substr(0, eol);
  const auto body = eol == std::string_view::npos ? std::string_view{} : in.substr(eol + 1);
  const auto boundary = faxd::http::multipart_boundary(content_type);
  if (!boundary) return 0;
  if (boundary->empty() || boundary->size() > 70) __builtin_trap();
  const auto parts = faxd::http::parse_multipart(body, *boundary, 8);
  if (!parts) return 0;
  if (parts->size() > 8) __builtin_trap();
  for (const auto& p : *parts) {
    if (p.name.empty()) __builtin_trap();
    if (p.data.data() < body.data() || p.data.data() + p.data.size() > body.data() + body.size())
      __builtin_trap();
  }
  return 0;
}

#ifndef FAXD_FUZZ_SMOKE
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz_multipart(data, size);
}
#endif
