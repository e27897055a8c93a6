#pragma once
// Notification templates (issue #18): a brand's (company_id unset) or one of its companies'
// words for a fax mail, per kind (fax_received | fax_delivered | fax_failed) and language. One
// template per (brand, kind, language) and per (company, kind, language); a company's template
// belongs to the company's brand. Deleting a brand or company removes its templates. Which
// template a mail uses is mail::choose_template's business; who may see which is the API's.
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

struct NotificationTemplate {
  std::string id;
  std::string brand_id;
  std::optional<std::string> company_id;  // nullopt: the brand's own template
  std::string kind;
  std::string language;
  std::string from_name;
  std::string from_address;
  std::string subject;
  std::string body_text;
  std::optional<std::string> body_html;
  std::string created_at;
  std::string updated_at;
};

struct NotificationTemplatePatch {
  std::optional<std::string> kind;
  std::optional<std::string> language;
  std::optional<std::string> from_name;
  std::optional<std::string> from_address;
  std::optional<std::string> subject;
  std::optional<std::string> body_text;
  Nullable<std::string> body_html;
};

class NotificationTemplateRepo {
 public:
  NotificationTemplateRepo(Db& db, const Clock& clock) : db_(db), clock_(clock) {}

  // id and timestamps assigned. invalid_argument naming brand_id / company_id for an unknown
  // brand or a company of another brand; conflict (field "language") when the owner already has
  // a template of that kind and language.
  Result<NotificationTemplate> create(const NotificationTemplate& t);
  Result<std::optional<NotificationTemplate>> find(std::string_view id);
  // filter.brand_id and company_id apply when set (company_id: that company's templates only).
  Result<Slice<NotificationTemplate>> list(const TenantFilter& filter, const Page& page);
  Result<NotificationTemplate> update(std::string_view id, const NotificationTemplatePatch& patch);
  Result<void> remove(std::string_view id);

  // What a mail of `kind` for a fax of this company may use: the brand's templates and the
  // company's, every language.
  Result<std::vector<NotificationTemplate>> for_mail(std::string_view brand_id,
                                                     std::string_view company_id,
                                                     std::string_view kind);

 private:
  Db& db_;
  const Clock& clock_;
};

}  // namespace faxd::store
