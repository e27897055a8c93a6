#include "faxd/api/json.hpp"

#include <fmt/format.h>

#include <spdlog/spdlog.h>

namespace faxd::api {

Result<nlohmann::json> parse_body(const http::Request& req) {
  if (req.body.empty()) return fail(Errc::invalid_argument, "the request needs a JSON body");
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  if (j.is_discarded()) return fail(Errc::invalid_argument, "the body is not valid JSON");
  if (!j.is_object()) return fail(Errc::invalid_argument, "the body must be a JSON object");
  return j;
}

Result<std::string> string_field(const nlohmann::json& body, std::string_view name, bool required) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required)
      return fail(Errc::invalid_argument, fmt::format("{}: required", name), std::string(name));
    return std::string{};
  }
  if (!it->is_string())
    return fail(Errc::invalid_argument, fmt::format("{}: must be a string", name),
                std::string(name));
  return it->get<std::string>();
}

http::Response error_response(const Error& e) {
  switch (e.code) {
    case Errc::invalid_argument:
      return http::Response::error(422, "invalid_field", e.message, e.field);
    case Errc::unsupported:
      return http::Response::error(422, "unsupported", e.message, e.field);
    case Errc::not_found:
      return http::Response::error(404, "not_found", e.message, e.field);
    case Errc::conflict:
      return http::Response::error(409, "conflict", e.message, e.field);
    case Errc::too_large:
      return http::Response::error(413, "too_large", e.message, e.field);
    case Errc::timeout:
      return http::Response::error(503, "unavailable", "the store is busy, try again");
    case Errc::io:  // a full or failing disk: say so, the request may work later
      spdlog::error("api.storage_error error={}", e.message);
      return http::Response::error(507, "storage_full",
                                   "the server cannot store data right now, try again later");
    default:
      spdlog::error("api.internal_error code={} error={}", to_string(e.code), e.message);
      return http::Response::error(500, "internal", "internal error");
  }
}

nlohmann::json me_json(const store::User& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"role", store::to_string(u.role)},
          {"brand_id", u.brand_id ? nlohmann::json(*u.brand_id) : nlohmann::json(nullptr)},
          {"company_id", u.company_id ? nlohmann::json(*u.company_id) : nlohmann::json(nullptr)},
          {"language", u.language ? nlohmann::json(*u.language) : nlohmann::json(nullptr)},
          {"timezone", u.timezone ? nlohmann::json(*u.timezone) : nlohmann::json(nullptr)}};
}

}  // namespace faxd::api
