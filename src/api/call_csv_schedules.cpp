// /api/v1/call-csv-schedules: a brand admin (for its brand, or one of its companies) or a
// company admin (for its company) has the calls of each past day, week or month mailed as CSV
// (store/call_csv_schedule_repo.hpp; the mail goes through the outbox).
#include "body_reader.hpp"
#include "resource.hpp"
#include "resources.hpp"
#include "scope.hpp"
#include "validate.hpp"

namespace faxd::api {

using http::Request;
using http::Response;
using nlohmann::json;
using store::Role;

namespace {

json schedule_json(const store::CallCsvSchedule& s) {
  return {{"id", s.id},
          {"brand_id", s.brand_id},
          {"company_id", nullable(s.company_id)},
          {"name", s.name},
          {"frequency", s.frequency},
          {"email", s.email},
          {"next_run_at", s.next_run_at},
          {"last_run_at", nullable(s.last_run_at)},
          {"created_at", s.created_at},
          {"updated_at", s.updated_at}};
}

constexpr TextRule kName{.non_empty = true,
                         .max_length = 100,
                         .valid = is_printable,
                         .problem = "must not contain control characters"};
constexpr TextRule kEmail{
    .non_empty = true, .max_length = 254, .valid = is_email, .problem = "not an email address"};
bool valid_frequency(std::string_view s) noexcept {
  return store::is_csv_frequency(s);
}
constexpr TextRule kFrequency{.non_empty = true,
                              .max_length = 10,
                              .valid = valid_frequency,
                              .problem = "daily, weekly or monthly"};
const std::initializer_list<std::string_view> kFields = {"brand_id", "company_id", "name",
                                                         "frequency", "email"};

}  // namespace

void add_call_csv_schedule_routes(http::Router& router, const Api& api, Services& s) {
  // A brand-wide schedule is the brand admin's; a company's is its admin's too.
  auto find = [&s](const Caller& c,
                   const std::string& id) -> Result<std::optional<store::CallCsvSchedule>> {
    auto sch = s.csv_schedules.find(id);
    if (sch && *sch &&
        !in_scope(c, {.brand_id = (*sch)->brand_id, .company_id = (*sch)->company_id}))
      return std::optional<store::CallCsvSchedule>{};
    return sch;
  };
  add_resource(
      router, api,
      {
          .path = "/api/v1/call-csv-schedules",
          .list = list_in_scope(
              Role::company_admin, "call CSV schedules are managed by admins",
              [&s](const auto& filter, const auto& page) {
                return s.csv_schedules.list(filter, page);
              },
              schedule_json),
          .create =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                if (!at_least(c, Role::company_admin))
                  return forbidden("call CSV schedules are managed by admins");
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only(kFields);
                store::CallCsvSchedule sch;
                if (c.user.role == Role::company_admin ||
                    (in.has("company_id") && !(*body)["company_id"].is_null())) {
                  auto co = company_for_create(c, in, s);
                  if (co) {
                    sch.brand_id = co->brand_id;
                    sch.company_id = co->id;
                  }
                } else {
                  sch.brand_id = brand_for_create(c, in);
                }
                TextRule name = kName, email = kEmail, frequency = kFrequency;
                name.required = email.required = frequency.required = true;
                if (auto v = in.text("name", name)) sch.name = *v;
                if (auto v = in.text("frequency", frequency)) sch.frequency = *v;
                if (auto v = in.text("email", email)) sch.email = *v;
                if (auto e = in.error()) return error_response(*e);
                return reply(s.csv_schedules.create(sch), 201, schedule_json);
              },
          .get = get_in_scope(find, "schedule", schedule_json),
          .patch = found_in_scope(
              find, "schedule",
              [&s](const Caller&, const Request& req, const auto& sch) {
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only(kFields);
                if (auto b = in.id("brand_id"); b && *b != sch.brand_id)
                  in.reject("brand_id", "brand_id: cannot be changed");
                if (auto co = in.nullable_id("company_id"); co && *co != sch.company_id)
                  in.reject("company_id", "company_id: cannot be changed");
                store::CallCsvSchedulePatch patch{in.text("name", kName),
                                                  in.text("frequency", kFrequency),
                                                  in.text("email", kEmail)};
                if (auto e = in.error()) return error_response(*e);
                return reply(s.csv_schedules.update(sch.id, patch), 200, schedule_json);
              }),
          .remove = found_in_scope(find, "schedule",
                                   [&s](const Caller&, const Request&, const auto& sch) {
                                     return no_content_or_error(s.csv_schedules.remove(sch.id));
                                   }),
      });
}

}  // namespace faxd::api
