#include "faxd/store/fax_json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace faxd::store {

namespace {

void key(std::string& out, std::string_view name) {
  out += '"';
  out += name;
  out += "\":";
}

void text(std::string& out, std::string_view name, std::string_view value) {
  key(out, name);
  append_json_string(out, value);
  out += ',';
}

void opt_text(std::string& out, std::string_view name, const std::optional<std::string>& value) {
  if (!value) {
    key(out, name);
    out += "null,";
  } else {
    text(out, name, *value);
  }
}

void number(std::string& out, std::string_view name, std::optional<long long> value) {
  key(out, name);
  if (value)
    out += fmt::format_int(*value).c_str();
  else
    out += "null";
  out += ',';
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      // Escapes, UTF-8 and its repair: exactly what the tree would have written.
      out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  }
  out += '"';
  out += s;
  out += '"';
}

void append_json(std::string& out, const Fax& f) {
  // Keys in name order, as nlohmann's std::map-backed objects print them.
  out += '{';
  number(out, "attempts", f.calls);
  opt_text(out, "batch_id", f.batch_id);
  number(out, "bit_rate", f.bit_rate);
  text(out, "company_id", f.company_id);
  opt_text(out, "completed_at", f.completed_at);
  text(out, "created_at", f.created_at);
  number(out, "dials", f.dials);
  text(out, "direction", f.direction);
  opt_text(out, "document_purged_at", f.document_purged_at);
  key(out, "ecm");
  out += f.ecm ? (*f.ecm ? "true," : "false,") : "null,";
  key(out, "failure");
  if (f.failure_code) {
    out += "{\"code\":";
    append_json_string(out, *f.failure_code);
    out += ",\"message\":";
    append_json_string(out, f.failure_message.value_or(""));
    out += "},";
  } else {
    out += "null,";
  }
  text(out, "from", f.from_number);
  text(out, "header", f.header);
  text(out, "id", f.id);
  opt_text(out, "next_attempt_at", f.next_attempt_at);
  number(out, "pages", f.pages);
  number(out, "pages_total", f.pages_total);
  text(out, "quality", f.quality);
  opt_text(out, "remote_station_id", f.remote_station_id);
  opt_text(out, "send_at", f.send_at);
  opt_text(out, "started_at", f.started_at);
  text(out, "status", to_string(f.status));
  text(out, "to", f.to_number);
  opt_text(out, "transport", f.transport);
  number(out, "tries", f.attempts);
  text(out, "updated_at", f.updated_at);
  opt_text(out, "virtual_fax_id", f.virtual_fax_id);
  out.back() = '}';
}

}  // namespace faxd::store
