#pragma once
// Typed access to the members of a JSON request body with api.md errors that name the field.
// Readers return nullopt when a member is absent or wrong; the first problem is kept and
// reported once through error(), so a handler reads every field and then checks once:
//
//   BodyReader in(body);
//   auto name = in.text("name", {.required = true});
//   auto port = in.integer("port", 1, 65535);
//   if (auto e = in.error()) return error_response(*e);
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "faxd/common/error.hpp"
#include "faxd/store/tenancy.hpp"

namespace faxd::api {

struct TextRule {
  bool required = false;
  bool non_empty = false;  // "" is refused too
  std::size_t max_length = 200;
  bool (*valid)(std::string_view) noexcept = nullptr;
  std::string_view problem = "invalid value";  // the message when `valid` says no
};

class BodyReader {
 public:
  explicit BodyReader(const nlohmann::json& body) : body_(body) {}

  // True when the member is present (null included).
  bool has(std::string_view name) const;
  std::optional<std::string> text(std::string_view name, const TextRule& rule = {});
  std::optional<int> integer(std::string_view name, int min, int max, bool required = false);
  std::optional<bool> boolean(std::string_view name, bool required = false);
  // A reference that may be null: nullopt = absent, empty inner = null.
  store::Nullable<std::string> nullable_id(std::string_view name);
  // An integer that may be null: nullopt = absent, empty inner = null.
  store::Nullable<int> nullable_integer(std::string_view name, int min, int max);
  // An id that must be present (and valid) when required.
  std::optional<std::string> id(std::string_view name, bool required = false);
  std::optional<std::vector<std::string>> id_list(std::string_view name);
  // An ISO 3166 alpha-2 country code (any case, answered in upper case); null or "" = none ("").
  std::optional<std::string> country(std::string_view name);
  // Refuses members outside `known`; id, created_at and updated_at are always ignored (so an
  // object read from the API can be sent back as a PATCH).
  void only(std::initializer_list<std::string_view> known);

  void reject(std::string_view field, std::string message);
  const std::optional<Error>& error() const { return error_; }

 private:
  const nlohmann::json* member(std::string_view name) const;
  const nlohmann::json& body_;
  std::optional<Error> error_;
};

}  // namespace faxd::api
