#pragma once
// A company's cover page template (what surrounds each fax's own cover fields): title, the name
// and details shown, a footer and a logo. One row per company at most; none = defaults.
// Threads: any (blocking).
#include <optional>
#include <string>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

struct CoverTemplate {
  std::string company_id;
  std::string title;            // "" = "FAX"
  std::string company_name;     // "" = the company's name
  std::string company_details;  // free lines
  std::string footer;
  std::optional<std::string> logo_base64;  // a PNG, base64
  std::string created_at;
  std::string updated_at;
};

class CoverTemplateRepo {
 public:
  CoverTemplateRepo(Db& db, const Clock& clock) : db_(db), clock_(clock) {}
  Result<std::optional<CoverTemplate>> find(std::string_view company_id);
  // Creates or replaces the company's template.
  Result<CoverTemplate> put(const CoverTemplate& t);

 private:
  Db& db_;
  const Clock& clock_;
};

}  // namespace faxd::store
