#include "body_reader.hpp"

#include "faxd/numbers/phone_number.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "faxd/common/id.hpp"

namespace faxd::api {

const nlohmann::json* BodyReader::member(std::string_view name) const {
  const auto it = body_.find(name);
  return it == body_.end() ? nullptr : &*it;
}

bool BodyReader::has(std::string_view name) const {
  return member(name) != nullptr;
}

void BodyReader::reject(std::string_view field, std::string message) {
  if (!error_) error_ = Error{Errc::invalid_argument, std::move(message), std::string(field)};
}

std::optional<std::string> BodyReader::text(std::string_view name, const TextRule& rule) {
  const auto* m = member(name);
  if (!m || m->is_null()) {
    if (rule.required) reject(name, fmt::format("{}: required", name));
    return std::nullopt;
  }
  if (!m->is_string()) {
    reject(name, fmt::format("{}: must be a string", name));
    return std::nullopt;
  }
  auto s = m->get<std::string>();
  if (s.empty() && (rule.non_empty || rule.required)) {
    reject(name, fmt::format("{}: must not be empty", name));
    return std::nullopt;
  }
  if (s.size() > rule.max_length) {
    reject(name, fmt::format("{}: longer than {} characters", name, rule.max_length));
    return std::nullopt;
  }
  if (rule.valid && !s.empty() && !rule.valid(s)) {
    reject(name, fmt::format("{}: {}", name, rule.problem));
    return std::nullopt;
  }
  return s;
}

std::optional<int> BodyReader::integer(std::string_view name, int min, int max, bool required) {
  const auto* m = member(name);
  if (!m || m->is_null()) {
    if (required) reject(name, fmt::format("{}: required", name));
    return std::nullopt;
  }
  if (!m->is_number_integer()) {
    reject(name, fmt::format("{}: must be an integer", name));
    return std::nullopt;
  }
  const auto v = m->get<long long>();
  if (v < min || v > max) {
    reject(name, fmt::format("{}: must be between {} and {}", name, min, max));
    return std::nullopt;
  }
  return static_cast<int>(v);
}

std::optional<bool> BodyReader::boolean(std::string_view name, bool required) {
  const auto* m = member(name);
  if (!m || m->is_null()) {
    if (required) reject(name, fmt::format("{}: required", name));
    return std::nullopt;
  }
  if (!m->is_boolean()) {
    reject(name, fmt::format("{}: must be true or false", name));
    return std::nullopt;
  }
  return m->get<bool>();
}

store::Nullable<std::string> BodyReader::nullable_id(std::string_view name) {
  const auto* m = member(name);
  if (!m) return std::nullopt;
  if (m->is_null()) return std::optional<std::string>{};
  if (!m->is_string() || !is_valid_id(m->get<std::string>())) {
    reject(name, fmt::format("{}: not an id", name));
    return std::nullopt;
  }
  return std::optional<std::string>{m->get<std::string>()};
}

store::Nullable<int> BodyReader::nullable_integer(std::string_view name, int min, int max) {
  const auto* m = member(name);
  if (!m) return std::nullopt;
  store::Nullable<int> out;
  if (m->is_null())
    out.emplace(std::nullopt);  // present and null
  else if (auto v = integer(name, min, max))
    out.emplace(*v);
  return out;
}

std::optional<std::string> BodyReader::country(std::string_view name) {
  const auto* m = member(name);
  if (!m) return std::nullopt;
  if (m->is_null()) return std::string{};
  if (!m->is_string()) {
    reject(name, fmt::format("{}: must be a string", name));
    return std::nullopt;
  }
  auto code = m->get<std::string>();
  for (auto& c : code)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (!code.empty() && !numbers::is_country(code)) {
    reject(name, fmt::format("{}: not an ISO 3166 country code (e.g. ES, DE, US)", name));
    return std::nullopt;
  }
  return code;
}

std::optional<std::string> BodyReader::id(std::string_view name, bool required) {
  const auto* m = member(name);
  if (!m || m->is_null()) {
    if (required) reject(name, fmt::format("{}: required", name));
    return std::nullopt;
  }
  if (!m->is_string() || !is_valid_id(m->get<std::string>())) {
    reject(name, fmt::format("{}: not an id", name));
    return std::nullopt;
  }
  return m->get<std::string>();
}

std::optional<std::vector<std::string>> BodyReader::id_list(std::string_view name) {
  const auto* m = member(name);
  if (!m || m->is_null()) return std::nullopt;
  if (!m->is_array() || m->size() > 1000) {
    reject(name, fmt::format("{}: must be an array of ids", name));
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& v : *m) {
    if (!v.is_string() || !is_valid_id(v.get<std::string>())) {
      reject(name, fmt::format("{}: must be an array of ids", name));
      return std::nullopt;
    }
    out.push_back(v.get<std::string>());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void BodyReader::only(std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : body_.items()) {
    if (key == "id" || key == "created_at" || key == "updated_at") continue;
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      reject(key, fmt::format("{}: unknown field", key));
      return;
    }
  }
}

}  // namespace faxd::api
