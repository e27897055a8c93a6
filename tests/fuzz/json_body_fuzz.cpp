// libFuzzer target: arbitrary bytes as the JSON body of an API request, through the path every
// handler takes: parse_body (one object or a clear error), the login fields, then BodyReader
// reading members the way the create/patch handlers do, with each shared validator, and the
// 422 reply built from the first problem (its message and field echo the client's keys).
#include <cstddef>
#include <cstdint>
#include <string>

#include "body_reader.hpp"
#include "faxd/api/json.hpp"
#include "validate.hpp"

namespace {

using faxd::api::BodyReader;
using faxd::api::TextRule;

void read_fields(BodyReader& in) {
  in.only({"name", "host", "port", "number", "email", "timezone", "language", "prefix",
           "station_id", "username", "url", "t38", "max_calls", "brand_id", "company_id",
           "virtual_fax_ids", "password", "role", "transport"});
  (void)in.has("name");
  (void)in.text("name", {.required = true,
                         .non_empty = true,
                         .max_length = 100,
                         .valid = faxd::api::is_printable,
                         .problem = "must not contain control characters"});
  (void)in.text("host", {.max_length = 253, .valid = faxd::api::is_host});
  (void)in.text("number", {.max_length = 16, .valid = faxd::api::is_e164});
  (void)in.text("email", {.max_length = 254, .valid = faxd::api::is_email});
  (void)in.text("timezone", {.max_length = 64, .valid = faxd::api::is_timezone});
  (void)in.text("language", {.max_length = 16, .valid = faxd::api::is_language});
  (void)in.text("prefix", {.max_length = 16, .valid = faxd::api::is_prefix});
  (void)in.text("station_id", {.max_length = 20, .valid = faxd::api::is_station_id});
  (void)in.text("username", {.max_length = 64, .valid = faxd::api::is_username});
  (void)in.text("url", {.max_length = 2000, .valid = faxd::api::is_http_url});
  (void)in.text("password", {.max_length = 200, .valid = faxd::api::is_printable});
  (void)in.integer("port", 1, 65535);
  (void)in.integer("max_calls", 0, 100000, true);
  (void)in.boolean("t38");
  (void)in.id("brand_id");
  (void)in.nullable_id("company_id");
  (void)in.id_list("virtual_fax_ids");
}

}  // namespace

int fuzz_json_body(const std::uint8_t* data, std::size_t size) {
  faxd::http::Request req;
  req.method = "POST";
  req.body.assign(reinterpret_cast<const char*>(data), size);
  auto body = faxd::api::parse_body(req);
  if (!body) {
    (void)faxd::api::error_response(body.error());
    return 0;
  }
  if (!body->is_object()) __builtin_trap();
  for (const char* name : {"username", "password"})
    if (auto f = faxd::api::string_field(*body, name, true); !f)
      (void)faxd::api::error_response(f.error());
  BodyReader in(*body);
  read_fields(in);
  if (const auto& e = in.error()) {
    // Every problem is explained. (Not every one names a field: `{"": 1}` is refused as an
    // unknown field whose name is empty; seed empty-key.json.)
    if (e->message.empty()) __builtin_trap();
    (void)faxd::api::error_response(*e).body;
  }
  return 0;
}

#ifndef FAXD_FUZZ_SMOKE
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz_json_body(data, size);
}
#endif
