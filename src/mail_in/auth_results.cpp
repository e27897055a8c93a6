#include "faxd/mail_in/auth_results.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace faxd::mail_in {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The header with comments replaced by a space and line folding undone; quoted strings kept
// (with their quotes). nullopt when a comment or quote is not closed.
std::optional<std::string> strip_comments(std::string_view s) {
  std::string out;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      out += c;
      if (c == '\\' && i + 1 < s.size())
        out += s[++i];
      else if (c == '"')
        quoted = false;
      continue;
    }
    if (depth > 0) {
      if (c == '\\')
        ++i;
      else if (c == '(')
        ++depth;
      else if (c == ')' && --depth == 0)
        out += ' ';
      continue;
    }
    if (c == '(')
      ++depth;
    else if (c == '"') {
      quoted = true;
      out += c;
    } else {
      out += is_space(c) ? ' ' : c;
    }
  }
  if (depth != 0 || quoted) return std::nullopt;
  return out;
}

// Splits at `sep` outside quoted strings.
std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted && c == '\\' && i + 1 < s.size()) {
      out.back() += c;
      out.back() += s[++i];
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (c == sep && !quoted) {
      out.emplace_back();
      continue;
    }
    out.back() += c;
  }
  return out;
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) ++i;
      out += s[i];
    }
    return out;
  }
  return std::string(s);
}

// "a = b c.d=e" -> tokens "a=b", "c.d=e" (spaces around '=' removed first).
std::vector<std::string> tokens(std::string_view s) {
  std::string joined;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (is_space(s[i])) {
      std::size_t j = i;
      while (j < s.size() && is_space(s[j])) ++j;
      const bool next_eq = j < s.size() && (s[j] == '=' || s[j] == '.' || s[j] == '/');
      const bool prev_eq =
          !joined.empty() && (joined.back() == '=' || joined.back() == '.' || joined.back() == '/');
      if (!next_eq && !prev_eq && !joined.empty()) joined += ' ';
      i = j - 1;
      continue;
    }
    joined += s[i];
  }
  std::vector<std::string> out;
  for (auto& t : split(joined, ' '))
    if (!t.empty()) out.push_back(std::move(t));
  return out;
}

}  // namespace

std::optional<AuthResults> parse_auth_results(std::string_view value) {
  auto text = strip_comments(value);
  if (!text) return std::nullopt;
  const auto parts = split(*text, ';');
  AuthResults out;
  const auto head = tokens(parts.front());
  if (head.empty() || head.size() > 2) return std::nullopt;
  out.authserv_id = unquote(head.front());
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto items = tokens(parts[i]);
    if (items.empty()) continue;  // a trailing ';'
    if (items.size() == 1 && lower(items[0]) == "none") continue;
    const auto eq = items[0].find('=');
    if (eq == std::string::npos || eq == 0) return std::nullopt;
    AuthResult r;
    auto method = items[0].substr(0, eq);
    if (const auto slash = method.find('/'); slash != std::string::npos) method.resize(slash);
    r.method = lower(method);
    r.result = lower(unquote(items[0].substr(eq + 1)));
    if (r.result.empty()) return std::nullopt;
    for (std::size_t k = 1; k < items.size(); ++k) {
      const auto e = items[k].find('=');
      if (e == std::string::npos) continue;
      r.properties.emplace_back(lower(items[k].substr(0, e)), unquote(items[k].substr(e + 1)));
    }
    out.results.push_back(std::move(r));
  }
  return out;
}

AuthVerdict judge_auth_results(std::span<const std::string> headers,
                               std::span<const std::string> trusted_ids) {
  for (std::size_t h = 0; h < headers.size(); ++h) {
    if (trusted_ids.empty() && h > 0) break;  // only the topmost
    const auto parsed = parse_auth_results(headers[h]);
    if (!parsed) continue;
    if (!trusted_ids.empty() &&
        std::none_of(trusted_ids.begin(), trusted_ids.end(), [&](const std::string& id) {
          return lower(id) == lower(parsed->authserv_id);
        }))
      continue;
    auto property = [](const AuthResult& r, std::string_view name) {
      for (const auto& [k, v] : r.properties)
        if (k == name) return v;
      return std::string();
    };
    bool dkim_pass = false;
    const AuthResult* dkim_fail = nullptr;
    for (const auto& r : parsed->results) {
      if (r.method == "spf" && r.result == "fail") {
        const auto who = property(r, "smtp.mailfrom");
        return {true, who.empty() ? "SPF failed" : fmt::format("SPF failed for {}", who)};
      }
      if (r.method == "dmarc" && r.result == "fail") {
        const auto who = property(r, "header.from");
        return {true, who.empty() ? "DMARC failed" : fmt::format("DMARC failed for {}", who)};
      }
      if (r.method == "dkim" && r.result == "pass") dkim_pass = true;
      if (r.method == "dkim" && r.result == "fail" && !dkim_fail) dkim_fail = &r;
    }
    if (dkim_fail && !dkim_pass) {
      const auto who = property(*dkim_fail, "header.d");
      return {true, who.empty() ? "DKIM failed" : fmt::format("DKIM failed for {}", who)};
    }
  }
  return {};
}

}  // namespace faxd::mail_in
