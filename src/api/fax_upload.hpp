#pragma once
// The document half of a fax submission, shared by POST /faxes and POST /faxes/preview so both
// store uploads and answer conversion problems the same way.
#include <filesystem>
#include <string_view>
#include <vector>

#include <functional>
#include <string>

#include "faxd/api/faxes.hpp"
#include "faxd/common/error.hpp"
#include "faxd/document/document.hpp"
#include "faxd/http/message.hpp"
#include "faxd/http/multipart.hpp"

namespace faxd::api {

// Removes the request's temporary files when it is done, whatever happens.
struct TempFiles {
  std::vector<std::filesystem::path> paths;
  TempFiles() = default;
  TempFiles(const TempFiles&) = delete;
  TempFiles& operator=(const TempFiles&) = delete;
  ~TempFiles();
};

// Writes an upload to `path`; false when it could not be stored (a full disk shows only when
// the buffer is written out, so the file is closed before the answer).
bool write_file(const std::filesystem::path& path, std::string_view data);

// The answer for a document that did not convert: 413 too large, 507 storage full, otherwise
// 422 document_invalid; named at the "file" field, with the file's name when there is one.
http::Response conversion_error(const Error& e, const std::vector<const http::Part*>& files);
http::Response conversion_error(const Error& e, const std::vector<std::string>& file_names);

// The rest of an upload (conversion and what follows) on the conversion lane
// (FaxApiDeps::conversions), under the caller's tenant's share: the answer is deferred and the
// HTTP worker is free at once. When the lane or the tenant's share is full: 429 with
// Retry-After, at once. `options` are deps.convert with `cancelled` set: true once the client
// has gone or the daemon stops, which kills the converter. Without a lane (unit tests), `job`
// runs here.
using ConversionJob = std::function<http::Response(const document::ConvertOptions& options)>;
http::Response on_conversion_lane(FaxApiDeps& deps, const Caller& caller,
                                  const http::Request& request, ConversionJob job);

}  // namespace faxd::api
