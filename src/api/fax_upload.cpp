#include "fax_upload.hpp"

#include <fstream>
#include <string>

namespace faxd::api {

TempFiles::~TempFiles() {
  std::error_code ec;
  for (const auto& p : paths) std::filesystem::remove(p, ec);
}

bool write_file(const std::filesystem::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  return !out.fail();
}

http::Response conversion_error(const Error& e, const std::vector<const http::Part*>& files) {
  const int status = e.code == Errc::too_large ? 413 : (e.code == Errc::io ? 507 : 422);
  const std::string name = files.size() == 1 ? std::string(files[0]->filename) : "";
  const auto message = name.empty() ? e.message : name + ": " + e.message;
  const char* code =
      status == 422 ? "document_invalid" : (status == 507 ? "storage_full" : "too_large");
  return http::Response::error(status, code, message, "file");
}

}  // namespace faxd::api
