// /api/v1/virtual-faxes: a company's fax lines. Company admins (and the admins above them)
// manage them; a `user` reads the ones it is linked to.
#include <algorithm>

#include <fmt/format.h>

#include "body_reader.hpp"
#include "faxd/store/mail_outbox_repo.hpp"
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

json vfax_json(const store::VirtualFax& v) {
  return {{"id", v.id},
          {"company_id", v.company_id},
          {"brand_id", v.brand_id},
          {"name", v.name},
          {"email", v.email},
          {"send_by_email", v.send_by_email},
          {"notify_sender", v.notify_sender},
          {"outgoing_ddi_id", nullable(v.outgoing_ddi_id)},
          {"station_id", v.station_id},
          {"header", v.header},
          {"mail_senders", v.mail_senders},
          {"mail_cover", v.mail_cover},
          {"created_at", v.created_at},
          {"updated_at", v.updated_at}};
}

constexpr TextRule kName{.non_empty = true,
                         .max_length = 100,
                         .valid = is_printable,
                         .problem = "must not contain control characters"};
constexpr TextRule kEmail{.max_length = 10 * 256};
constexpr std::size_t kMaxEmails = 10;

// `email`: up to 10 addresses separated by commas, each checked; stored as "a@x, b@y" with
// repeats left out, so each address gets a mail once.
std::optional<std::string> email_list(BodyReader& in) {
  auto text = in.text("email", kEmail);
  if (!text) return text;
  const auto addresses = store::split_email_list(*text);
  if (addresses.size() > kMaxEmails) {
    in.reject("email", fmt::format("email: at most {} addresses", kMaxEmails));
    return std::nullopt;
  }
  std::string out;
  for (const auto& a : addresses) {
    if (!is_email(a)) {
      in.reject("email", fmt::format("email: {} is not an email address", a));
      return std::nullopt;
    }
    if (!out.empty()) out += ", ";
    out += a;
  }
  return out;
}
constexpr TextRule kStation{.max_length = 20,
                            .valid = is_station_id,
                            .problem = "up to 20 digits, '+' and spaces (T.30 station id)"};
constexpr TextRule kHeader{
    .max_length = 60, .valid = is_printable, .problem = "must not contain control characters"};
const std::initializer_list<std::string_view> kFields = {
    "company_id",      "brand_id",   "name",   "email",        "send_by_email", "notify_sender",
    "outgoing_ddi_id", "station_id", "header", "mail_senders", "mail_cover"};
constexpr std::size_t kMaxSenders = 50;

bool is_sender_domain(std::string_view s) {
  return s.size() > 1 && s.front() == '@' && is_email(std::string("x") + std::string(s));
}

// `mail_senders`: addresses or "@domain", stored in lower case, sorted, without repeats.
std::optional<std::vector<std::string>> mail_senders(BodyReader& in, const json& body) {
  if (!in.has("mail_senders")) return std::nullopt;
  const auto& list = body.at("mail_senders");
  if (!list.is_array()) {
    in.reject("mail_senders", "mail_senders: a list of addresses or @domains");
    return std::nullopt;
  }
  if (list.size() > kMaxSenders) {
    in.reject("mail_senders", fmt::format("mail_senders: at most {} entries", kMaxSenders));
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : list) {
    if (!item.is_string()) {
      in.reject("mail_senders", "mail_senders: a list of addresses or @domains");
      return std::nullopt;
    }
    auto s = item.get<std::string>();
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    for (auto& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!is_email(s) && !is_sender_domain(s)) {
      in.reject("mail_senders",
                fmt::format("mail_senders: {} is neither an address nor an @domain", s));
      return std::nullopt;
    }
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end());  // as the store reads them back
  return out;
}

}  // namespace

void add_virtual_fax_routes(http::Router& router, const Api& api, Services& s) {
  auto find = [&s](const Caller& c,
                   const std::string& id) -> Result<std::optional<store::VirtualFax>> {
    auto v = s.vfaxes.find_virtual_fax(id);
    if (!v || !*v) return v;
    if (c.user.role == Role::user) {
      auto linked = s.ctx.users.virtual_fax_ids(c.user.id);
      if (!linked) return std::unexpected(linked.error());
      if (std::find(linked->begin(), linked->end(), id) == linked->end())
        return std::optional<store::VirtualFax>{};
      return v;
    }
    if (!in_scope(c, {.brand_id = (*v)->brand_id, .company_id = (*v)->company_id}))
      return std::optional<store::VirtualFax>{};
    return v;
  };
  add_resource(
      router, api,
      {
          .path = "/api/v1/virtual-faxes",
          .list =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                auto page = read_page(req);
                if (!page) return error_response(page.error());
                auto filter = list_filter(c, req);
                if (!filter) return error_response(filter.error());
                auto r = s.vfaxes.list_virtual_faxes(*filter, *page);
                return reply(r, 200, [](const auto& sl) { return page_json(sl, vfax_json); });
              },
          .create =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                if (!at_least(c, Role::company_admin))
                  return forbidden("virtual faxes are created by company admins");
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only(kFields);
                store::VirtualFax v;
                if (auto co = company_for_create(c, in, s)) v.company_id = co->id;
                TextRule name = kName;
                name.required = true;
                if (auto x = in.text("name", name)) v.name = *x;
                if (auto x = email_list(in)) v.email = *x;
                if (auto x = in.boolean("send_by_email")) v.send_by_email = *x;
                if (auto x = in.boolean("notify_sender")) v.notify_sender = *x;
                if (auto x = in.nullable_id("outgoing_ddi_id")) v.outgoing_ddi_id = *x;
                if (auto x = in.text("station_id", kStation)) v.station_id = *x;
                if (auto x = in.text("header", kHeader)) v.header = *x;
                if (auto x = mail_senders(in, *body)) v.mail_senders = std::move(*x);
                if (auto x = in.boolean("mail_cover")) v.mail_cover = *x;
                if ((v.send_by_email || v.notify_sender) && v.email.empty())
                  in.reject("email", "email: required when send_by_email or notify_sender is on");
                if (auto e = in.error()) return error_response(*e);
                return reply(s.vfaxes.create_virtual_fax(v), 201, vfax_json);
              },
          .get = get_in_scope(find, "virtual fax", vfax_json),
          .patch = found_in_scope(
              find, "virtual fax",
              [&s](const Caller& c, const Request& req, const auto& v) {
                if (!at_least(c, Role::company_admin))
                  return forbidden("virtual faxes are changed by company admins");
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only(kFields);
                if (auto x = in.id("company_id"); x && *x != v.company_id)
                  in.reject("company_id", "company_id: cannot be changed");
                if (auto x = in.id("brand_id"); x && *x != v.brand_id)
                  in.reject("brand_id", "brand_id: cannot be changed");
                store::VirtualFaxPatch patch{in.text("name", kName),
                                             email_list(in),
                                             in.boolean("send_by_email"),
                                             in.boolean("notify_sender"),
                                             in.nullable_id("outgoing_ddi_id"),
                                             in.text("station_id", kStation),
                                             in.text("header", kHeader),
                                             mail_senders(in, *body),
                                             in.boolean("mail_cover")};
                const bool mails = patch.send_by_email.value_or(v.send_by_email) ||
                                   patch.notify_sender.value_or(v.notify_sender);
                if (mails && patch.email.value_or(v.email).empty())
                  in.reject("email", "email: required when send_by_email or notify_sender is on");
                if (auto e = in.error()) return error_response(*e);
                return reply(s.vfaxes.update_virtual_fax(v.id, patch), 200, vfax_json);
              }),
          .remove = found_in_scope(find, "virtual fax",
                                   [&s](const Caller& c, const Request&, const auto& v) {
                                     if (!at_least(c, Role::company_admin))
                                       return forbidden(
                                           "virtual faxes are deleted by company admins");
                                     return no_content_or_error(s.vfaxes.delete_virtual_fax(v.id));
                                   }),
      });
}

}  // namespace faxd::api
