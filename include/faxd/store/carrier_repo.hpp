#pragma once
// Carriers (SIP trunks) and the outgoing routes that point at them, per brand. The repository
// keeps the store consistent: a route's carrier is in the route's brand, names are unique per
// brand, a carrier with routes cannot be deleted (conflict). Caller scope is the API's business.
//
// The send path reads `routes_for_brand` and `find_carrier`; the receive path reads
// `all_carriers` to know which addresses may call in.
//
// Threads: any; every call is one store transaction (blocking, use the worker pool).
// Ownership: borrows the Db and the Clock, which outlive it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/common/secret_box.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/tenancy.hpp"

namespace faxd::store {

class CarrierRepo {
 public:
  // With `secrets`, passwords are stored sealed (common/secret_box.hpp) and returned opened.
  CarrierRepo(Db& db, const Clock& clock, const SecretBox* secrets = nullptr)
      : db_(db), clock_(clock), secrets_(secrets) {}

  // id and timestamps assigned; invalid_argument (brand_id) for an unknown brand, conflict
  // (name) for a name taken in the brand.
  Result<Carrier> create_carrier(const Carrier& c);
  Result<std::optional<Carrier>> find_carrier(std::string_view id);
  Result<Slice<Carrier>> list_carriers(const TenantFilter& filter, const Page& page);
  Result<Carrier> update_carrier(std::string_view id, const CarrierPatch& patch);
  // conflict while routes use it.
  Result<void> delete_carrier(std::string_view id);
  // Every carrier of every brand (for the inbound address check), by id.
  Result<std::vector<Carrier>> all_carriers();
  Result<std::vector<Carrier>> carriers_for_brand(std::string_view brand_id);

  // invalid_argument (carrier_id) when the carrier is not one of the route's brand.
  Result<Route> create_route(const Route& r);
  Result<std::optional<Route>> find_route(std::string_view id);
  Result<Slice<Route>> list_routes(const TenantFilter& filter, const Page& page);
  Result<Route> update_route(std::string_view id, const RoutePatch& patch);
  Result<void> delete_route(std::string_view id);
  // All routes of a brand, both types, by id: the input of jobs::select_carriers.
  Result<std::vector<Route>> routes_for_brand(std::string_view brand_id);

  // Seals passwords stored in plain text by an older faxd; returns how many (needs secrets).
  Result<int> seal_plaintext_secrets();

 private:
  std::string seal(std::string_view password) const;
  std::string reveal(std::string_view stored) const;
  Carrier revealed(Carrier c) const;

  Db& db_;
  const Clock& clock_;
  const SecretBox* secrets_;
};

}  // namespace faxd::store
