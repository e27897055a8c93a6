// libFuzzer target: arbitrary bytes as faxd.toml. A bad file must come back as a list of
// problems with line numbers, never a crash or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "faxd/config/config.hpp"

int fuzz_config(const std::uint8_t* data, std::size_t size) {
  const auto c = faxd::config::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (c) {
    if (c->media.port_min > c->media.port_max) __builtin_trap();
    (void)c->http.listen.to_string();
    (void)c->sip.listen.to_string();
  } else {
    if (c.error().empty()) __builtin_trap();  // a refusal names at least one problem
    (void)faxd::config::format_problems("faxd.toml", c.error());
  }
  return 0;
}

#ifndef FAXD_FUZZ_SMOKE
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz_config(data, size);
}
#endif
