#pragma once
// Brands and companies. The repository keeps the store consistent (unique names, no deleting
// what is still in use: 409 conflict naming what holds it); who may see or change which row
// is the API's business (api/scope.hpp), not this class's.
//
// Threads: any; every call is one store transaction (blocking, use the worker pool).
// Ownership: borrows the Db and the Clock, which outlive it.
#include <optional>
#include <string>
#include <string_view>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/tenancy.hpp"

namespace faxd::store {

class TenantRepo {
 public:
  TenantRepo(Db& db, const Clock& clock) : db_(db), clock_(clock) {}

  // conflict (field "name") when the name is taken.
  Result<Brand> create_brand(std::string_view name, std::string_view language = "en");
  Result<std::optional<Brand>> find_brand(std::string_view id);
  // filter.brand_id restricts to that one brand.
  Result<Slice<Brand>> list_brands(const TenantFilter& filter, const Page& page);
  Result<Brand> update_brand(std::string_view id, const BrandPatch& patch);
  Result<Brand> rename_brand(std::string_view id, std::string_view name);
  Result<Brand> set_brand_language(std::string_view id, std::string_view language);
  // conflict while the brand has companies, carriers, DDIs or users.
  Result<void> delete_brand(std::string_view id);

  // id and timestamps of `c` are assigned; invalid_argument (field "brand_id") for an unknown
  // brand, conflict (field "name") for a name taken in the brand.
  Result<Company> create_company(const Company& c);
  Result<std::optional<Company>> find_company(std::string_view id);
  Result<Slice<Company>> list_companies(const TenantFilter& filter, const Page& page);
  Result<Company> update_company(std::string_view id, const CompanyPatch& patch);
  // invalid_argument (default_outgoing_ddi_id) for a DDI that is not the company's.
  // conflict while the company has virtual faxes, users, DDIs or routes of its own.
  Result<void> delete_company(std::string_view id);

  // Whether a company may send and receive (its own and its brand's switch) and the country of
  // its national numbers; not_found for an unknown company.
  Result<TenantState> tenant_state(std::string_view company_id);
  // The same for the company of a virtual fax, with the caller id its faxes go out with;
  // nullopt for an unknown virtual fax.
  Result<std::optional<SendingContext>> sending_context(std::string_view virtual_fax_id);

 private:
  Db& db_;
  const Clock& clock_;
};

}  // namespace faxd::store
