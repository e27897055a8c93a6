#include "faxd/common/error.hpp"

namespace faxd {

std::string_view to_string(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::not_found:
      return "not_found";
    case Errc::conflict:
      return "conflict";
    case Errc::unsupported:
      return "unsupported";
    case Errc::too_large:
      return "too_large";
    case Errc::io:
      return "io";
    case Errc::store:
      return "store";
    case Errc::timeout:
      return "timeout";
    case Errc::internal:
      return "internal";
  }
  return "internal";
}

}  // namespace faxd
