#pragma once
// DDIs: numbers of a brand, given to one of its companies and routed to a virtual fax of that
// company. The repository keeps that chain consistent (a DDI's company is of its brand, its
// virtual fax is of its company, numbers are unique) and refuses to delete a DDI that is a
// virtual fax's outgoing number (conflict). Caller scope is the API's business.
//
// The receive path calls `find_ddi_by_number` with the called number.
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

class DdiRepo {
 public:
  DdiRepo(Db& db, const Clock& clock) : db_(db), clock_(clock) {}

  // id and timestamps assigned. invalid_argument naming brand_id, company_id or virtual_fax_id
  // for a reference outside the chain; conflict (number) for a number that exists.
  Result<Ddi> create_ddi(const Ddi& d);
  Result<std::optional<Ddi>> find_ddi(std::string_view id);
  // The DDI with exactly this E.164 number ("+4930123456").
  Result<std::optional<Ddi>> find_ddi_by_number(std::string_view number);
  Result<Slice<Ddi>> list_ddis(const TenantFilter& filter, const Page& page);
  // Moving a DDI to another company (or back to the brand) unroutes it; conflict when it is a
  // virtual fax's outgoing DDI.
  Result<Ddi> update_ddi(std::string_view id, const DdiPatch& patch);
  // conflict while it is a virtual fax's outgoing DDI.
  Result<void> delete_ddi(std::string_view id);
  // The DDIs routed to a virtual fax, by id.
  Result<std::vector<Ddi>> ddis_of_virtual_fax(std::string_view virtual_fax_id);

 private:
  Db& db_;
  const Clock& clock_;
};

}  // namespace faxd::store
