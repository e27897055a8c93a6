#pragma once
// Value types of the tenancy and configuration objects (brands, companies, carriers, outgoing
// routes, DDIs, virtual faxes) as the repositories return them, plus the list paging shared by
// every repository. Plain values: copy them freely, on any thread.
//
// Patch structs change only the fields that are set; `std::optional<std::optional<T>>` is a
// nullable column: nullopt = leave as is, an empty inner optional = set to NULL.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faxd::store {

// Keyset paging over time-ordered ids: rows with id > after, ascending, at most `limit`.
struct Page {
  int limit = 50;
  std::string after;  // "" = from the start
};

template <class T>
struct Slice {
  std::vector<T> items;
  std::optional<std::string> next_cursor;  // the last id when more rows follow
};

// Which tenant's rows a list returns; unset members do not filter.
struct TenantFilter {
  std::optional<std::string> brand_id;
  std::optional<std::string> company_id;
  std::optional<std::string> linked_user_id;  // virtual faxes: only those linked to this user
};

template <class T>
using Nullable = std::optional<std::optional<T>>;

struct Brand {
  std::string id;
  std::string name;
  bool enabled = true;  // false: its companies cannot send or receive; data kept
  std::string created_at;
  std::string updated_at;
  std::string language = "en";  // mails fall back to it when a company's language has none
};

struct BrandPatch {
  std::optional<std::string> name;
  std::optional<bool> enabled;
};

// Whether a company's faxes may go and come (both switches on), for the send and receive paths.
struct TenantState {
  bool brand_enabled = true;
  bool company_enabled = true;
  std::string brand_name;
  std::string company_name;
  std::string country;  // the company's
  bool enabled() const { return brand_enabled && company_enabled; }
  // Why nothing is sent or received, for users, logs and fax failures ("" while enabled).
  std::string disabled_message() const;
  // Which switch is off, for words in the user's language: "brand" (first), "company" or "".
  std::string_view disabled_by() const noexcept {
    return !brand_enabled ? "brand" : (!company_enabled ? "company" : "");
  }
};

// What sending from one virtual fax needs to know (every way of sending: POST /faxes, resend,
// email-to-fax): the tenant's switches and country, and the caller id.
struct SendingContext {
  TenantState tenant;
  std::string company_id;
  // E.164 of the virtual fax's outgoing DDI, else of its company's default outgoing DDI;
  // "" = neither: the fax must be refused (carriers reject calls without a caller id).
  std::string caller_id;

  // Why nothing may be sent from it now, the same for every way of sending (the API answers
  // 403 tenant_disabled / 422, email-to-fax a 5xx the relay bounces): nullopt = it may send.
  struct Refusal {
    bool tenant_disabled = false;  // else: no caller id
    std::string field;             // "" (the tenant) or "virtual_fax_id" (no caller id)
    std::string message;           // in words, without the field name
  };
  std::optional<Refusal> refusal() const;
};

struct Company {
  std::string id;
  std::string brand_id;
  std::string name;
  std::string timezone = "UTC";
  std::string language = "en";
  // Days a fax document is kept once the fax is final (nullopt: for ever; 0: until its mail
  // went out). See jobs/retention_purge.hpp.
  std::optional<int> retention_days;
  std::string country;  // ISO 3166 alpha-2 of its national numbers; "" = none
  std::optional<std::string> default_outgoing_ddi_id;  // caller id of virtual faxes without one
  bool enabled = true;                                 // false: cannot send or receive; data kept
  std::string created_at;
  std::string updated_at;
};

struct CompanyPatch {
  std::optional<std::string> name;
  std::optional<std::string> timezone;
  std::optional<std::string> language;
  Nullable<int> retention_days = std::nullopt;
  std::optional<std::string> country;
  Nullable<std::string> default_outgoing_ddi_id;
  std::optional<bool> enabled;
};

// A SIP trunk. `password` is needed in clear for SIP digest authentication; the API never
// returns it.
struct Carrier {
  std::string id;
  std::string brand_id;
  std::string name;
  std::string host;
  int port = 5060;
  std::string transport = "udp";  // udp | tcp
  std::string username;
  std::string password;
  bool t38 = true;
  int max_calls = 0;  // 0 = unlimited
  // numbers::DialFormat of the Request-URI and From users: e164 | e164_digits | national.
  std::string number_format = "e164";
  std::string dial_prefix;  // put before the dialled number (a tech prefix); "" = none
  std::string country;      // ISO 3166 alpha-2: its national numbers (inbound; national format)
  std::string created_at;
  std::string updated_at;
};

struct CarrierPatch {
  std::optional<std::string> name;
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<std::string> transport;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<bool> t38;
  std::optional<int> max_calls;
  std::optional<std::string> number_format;
  std::optional<std::string> dial_prefix;
  std::optional<std::string> country;
};

// An outgoing route of a brand, or of one of its companies (see jobs/route_selector.hpp for how
// they are chosen).
struct Route {
  std::string id;
  std::string brand_id;
  std::optional<std::string> company_id;  // a company's own route; nullopt = brand-wide
  std::string type = "fax";               // fax | call
  std::string prefix;  // "+" and digits (an E.164 start); "" matches every number
  std::string carrier_id;
  int priority = 1;  // lower is tried first
  int weight = 1;    // >= 1, share of calls among routes of one priority
  std::string created_at;
  std::string updated_at;
};

struct RoutePatch {
  std::optional<std::string> type;
  std::optional<std::string> prefix;
  std::optional<std::string> carrier_id;
  std::optional<int> priority;
  std::optional<int> weight;
  Nullable<std::string> company_id;
};

// A number (E.164 with '+') of a brand, optionally given to a company and routed to one of that
// company's virtual faxes.
struct Ddi {
  std::string id;
  std::string brand_id;
  std::optional<std::string> company_id;
  std::string number;
  std::optional<std::string> virtual_fax_id;
  std::string created_at;
  std::string updated_at;
};

struct DdiPatch {
  Nullable<std::string> company_id;
  Nullable<std::string> virtual_fax_id;
};

struct VirtualFax {
  std::string id;
  std::string company_id;
  std::string brand_id;  // of the company (joined, not stored)
  std::string name;
  std::string email;
  bool send_by_email = false;
  bool notify_sender = false;
  std::optional<std::string> outgoing_ddi_id;
  std::string station_id;
  std::string header;
  std::string created_at;
  std::string updated_at;
  // Email-to-fax: who may send from it by mail (lower-case addresses or "@domain"), and
  // whether a cover page with the mail's subject goes first.
  std::vector<std::string> mail_senders;
  bool mail_cover = false;
};

struct VirtualFaxPatch {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<bool> send_by_email;
  std::optional<bool> notify_sender;
  Nullable<std::string> outgoing_ddi_id;
  std::optional<std::string> station_id;
  std::optional<std::string> header;
  std::optional<std::vector<std::string>> mail_senders;
  std::optional<bool> mail_cover;
};

}  // namespace faxd::store
