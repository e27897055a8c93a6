#pragma once
// How a brand looks in the web UI (brand_looks): product name, logo, colours, and the host
// names that show it. One row per brand at most; a brand without one looks like faxd.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

struct BrandLook {
  std::string brand_id;
  std::string product_name;
  std::string logo;          // data: URL or ""
  std::string accent_color;  // "#rrggbb" or ""
  std::string header_color;
  std::vector<std::string> hosts;  // lower case
  std::string updated_at;
};

class BrandLookRepo {
 public:
  BrandLookRepo(Db& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<std::optional<BrandLook>> find(std::string_view brand_id);
  // The look of the brand that claims this host name (lower case, no port).
  Result<std::optional<BrandLook>> find_by_host(std::string_view host);
  // Creates or replaces the brand's look. A host another brand claims is a conflict ("hosts").
  Result<BrandLook> put(const BrandLook& look);

 private:
  Db& db_;
  const Clock& clock_;
};

}  // namespace faxd::store
