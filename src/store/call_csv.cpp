#include "faxd/store/call_csv.hpp"

#include <fmt/format.h>

namespace faxd::store {

namespace {

bool is_number(std::string_view s) {
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  if (s.empty()) return false;
  for (char c : s)
    if ((c < '0' || c > '9') && c != '.') return false;
  return true;
}

void field(std::string& out, std::string_view v) {
  const bool formula = !v.empty() && (v.front() == '=' || v.front() == '@' || v.front() == '\t' ||
                                      v.front() == '\r' ||
                                      ((v.front() == '+' || v.front() == '-') && !is_number(v)));
  const bool quote = formula || v.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out += v;
    return;
  }
  out += '"';
  if (formula) out += '\'';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

template <class T>
void opt(std::string& out, const std::optional<T>& v) {
  if (!v) return;
  if constexpr (std::is_same_v<T, std::string>)
    field(out, *v);
  else
    out += fmt::to_string(*v);
}

}  // namespace

std::string_view call_csv_header() noexcept {
  return "id,fax_id,direction,brand_id,company_id,virtual_fax_id,from,to,carrier_id,started_at,"
         "answered_at,ended_at,duration_s,billable_s,transport,bit_rate,pages,result,"
         "failure_code\r\n";
}

void append_call_csv(std::string& out, const Call& c) {
  field(out, c.id);
  out += ',';
  field(out, c.fax_id);
  out += ',';
  field(out, c.direction);
  out += ',';
  field(out, c.brand_id);
  out += ',';
  field(out, c.company_id);
  out += ',';
  opt(out, c.virtual_fax_id);
  out += ',';
  field(out, c.from_number);
  out += ',';
  field(out, c.to_number);
  out += ',';
  opt(out, c.carrier_id);
  out += ',';
  field(out, c.started_at);
  out += ',';
  opt(out, c.answered_at);
  out += ',';
  opt(out, c.ended_at);
  out += ',';
  opt(out, c.duration_s);
  out += ',';
  opt(out, c.billable_s);
  out += ',';
  opt(out, c.transport);
  out += ',';
  opt(out, c.bit_rate);
  out += ',';
  out += fmt::to_string(c.pages);
  out += ',';
  field(out, c.result);
  out += ',';
  opt(out, c.failure_code);
  out += "\r\n";
}

}  // namespace faxd::store
