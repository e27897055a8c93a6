#pragma once
// POST /api/v1/faxes: one fax, or a broadcast (several `to` parts: one fax per number under one
// batch_id, the upload converted once and its document shared), optionally with a cover page
// and a send time. Answers 202 with the fax, or {batch_id, data: [fax, ...]} for a broadcast.
// Threads: blocking (conversion); HTTP workers.
#include "faxd/api/faxes.hpp"

namespace faxd::api {

http::Response send_faxes(FaxApiDeps& d, const Caller& caller, const http::Request& req);

// The 200/202 body of a batch.
http::Response batch_response(int status, const std::string& batch_id,
                              const std::vector<store::Fax>& faxes);

}  // namespace faxd::api
