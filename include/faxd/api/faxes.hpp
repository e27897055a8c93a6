#pragma once
// The /api/v1/faxes resource (api.md "Faxes"): send (multipart PDF/TIFF upload, converted and
// checked before the 202), list and filter, read, attempts, the document as PDF or TIFF, page
// thumbnails, cancel, resend and delete. Scope: platform admin all; brand admin its brand;
// company admin its company; user the virtual faxes it is linked to. Outside the scope is 404.
#include <cstddef>
#include <functional>
#include <string>

#include "faxd/api/api.hpp"
#include "faxd/common/work_lane.hpp"
#include "faxd/document/document.hpp"
#include "faxd/http/router.hpp"
#include "faxd/jobs/spool.hpp"
#include "faxd/store/ddi_repo.hpp"
#include "faxd/store/fax_repo.hpp"
#include "faxd/store/virtual_fax_repo.hpp"

namespace faxd::api {

struct FaxApiDeps {
  store::Db& db;
  const Clock& clock;
  store::FaxRepo& faxes;
  store::VirtualFaxRepo& vfaxes;
  store::DdiRepo& ddis;
  const jobs::Spool& spool;      // documents (paths in the store are relative to it)
  std::size_t max_upload_bytes;  // [http] max_upload_mb
  document::ConvertOptions convert;
  std::function<void()> wake_queue;                        // any thread: a fax was queued
  std::function<void(const std::string& fax_id)> hang_up;  // any thread: cancel a live call
  // Where uploads are converted (its own threads, bounded, a share per tenant); null: on the
  // calling thread (unit tests).
  WorkLane* conversions = nullptr;
};

void add_fax_routes(http::Router& router, const Api& api, FaxApiDeps& deps);

// The caller's view of faxes (for lists, reads and events).
store::FaxScope fax_scope(const Caller& caller, store::Db& db);

}  // namespace faxd::api
