#pragma once
// JSON helpers shared by the API handlers: body parsing, typed field access with api.md errors,
// and mapping faxd::Error to HTTP responses.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "faxd/common/error.hpp"
#include "faxd/http/message.hpp"
#include "faxd/store/user_repo.hpp"

namespace faxd::api {

// The body as a JSON object; a clear error for anything else.
Result<nlohmann::json> parse_body(const http::Request& request);
// A string member; missing is an error only when required (then nullopt is never returned).
Result<std::string> string_field(const nlohmann::json& body, std::string_view name, bool required);

// invalid_argument -> 422, not_found -> 404, conflict -> 409, too_large -> 413,
// unsupported -> 422, anything else -> 500 without internals.
http::Response error_response(const Error& error);

nlohmann::json me_json(const store::User& user);

}  // namespace faxd::api
