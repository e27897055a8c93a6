#include "faxd/api/api.hpp"
#include "faxd/common/embedded.hpp"

std::span<const faxd::EmbeddedFile> faxd_openapi();

namespace faxd::api {

std::string_view openapi_document() {
  return faxd_openapi().front().data;
}

}  // namespace faxd::api
