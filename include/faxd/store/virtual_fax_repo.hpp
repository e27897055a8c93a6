#pragma once
// Virtual faxes: a company's fax "lines" (name unique in the company, mail settings, the DDI
// they send from, T.30 station id and page header). The repository checks that the outgoing
// DDI is one of the company's DDIs; caller scope is the API's business. Deleting a virtual fax
// unroutes its DDIs and unlinks its users (ON DELETE in the schema); its faxes stay.
//
// The send path reads `find_virtual_fax` (station id, header, outgoing DDI); the receive path
// gets there from DdiRepo::find_ddi_by_number; email-to-fax from find_by_mail_sender.
// mail_senders are stored in their own table and written whole (a patch replaces the list).
//
// Threads: any; every call is one store transaction (blocking, use the worker pool).
// Ownership: borrows the Db and the Clock, which outlive it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/tenancy.hpp"

namespace faxd::store {

class VirtualFaxRepo {
 public:
  VirtualFaxRepo(Db& db, const Clock& clock) : db_(db), clock_(clock) {}

  // id, brand_id and timestamps assigned. invalid_argument naming company_id or
  // outgoing_ddi_id for references outside the company; conflict (name) for a taken name.
  Result<VirtualFax> create_virtual_fax(const VirtualFax& v);
  Result<std::optional<VirtualFax>> find_virtual_fax(std::string_view id);
  // filter.brand_id, company_id and linked_user_id all apply when set.
  Result<Slice<VirtualFax>> list_virtual_faxes(const TenantFilter& filter, const Page& page);
  Result<VirtualFax> update_virtual_fax(std::string_view id, const VirtualFaxPatch& patch);
  Result<void> delete_virtual_fax(std::string_view id);
  // Email-to-fax: the virtual faxes `address` may send from. Those listing the address itself
  // win over those listing its domain ("@acme.example"); compared in lower case. More than one
  // at the winning level is ambiguous (the caller refuses the mail).
  Result<std::vector<VirtualFax>> find_by_mail_sender(std::string_view address);
  // Ids of the users linked to a virtual fax (role `user`), by id.
  Result<std::vector<std::string>> linked_user_ids(std::string_view virtual_fax_id);

 private:
  Db& db_;
  const Clock& clock_;
};

}  // namespace faxd::store
