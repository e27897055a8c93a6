#include "faxd/http/multipart.hpp"

#include <strings.h>

namespace faxd::http {

namespace {

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Value of `key=` in a header parameter list ("form-data; name="file"; filename="a.pdf"").
std::string param(std::string_view header, std::string_view key) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    const auto semi = header.find(';', pos);
    auto item = trim(
        header.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos));
    const auto eq = item.find('=');
    if (eq != std::string_view::npos && trim(item.substr(0, eq)).size() == key.size() &&
        strncasecmp(trim(item.substr(0, eq)).data(), key.data(), key.size()) == 0) {
      auto v = trim(item.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
        std::string out;
        for (std::size_t i = 1; i + 1 < v.size(); ++i) {
          if (v[i] == '\\' && i + 2 < v.size()) ++i;
          out += v[i];
        }
        return out;
      }
      return std::string(v);
    }
    if (semi == std::string_view::npos) break;
    pos = semi + 1;
  }
  return {};
}

}  // namespace

Result<std::string> multipart_boundary(std::string_view content_type) {
  if (!iequals_prefix(trim(content_type), "multipart/form-data"))
    return fail(Errc::invalid_argument, "the request must be multipart/form-data");
  auto b = param(content_type, "boundary");
  if (b.empty() || b.size() > 70)
    return fail(Errc::invalid_argument, "multipart boundary missing or too long");
  return b;
}

Result<std::vector<Part>> parse_multipart(std::string_view body, std::string_view boundary,
                                          std::size_t max_parts) {
  const std::string delim = "--" + std::string(boundary);
  const std::string next_delim = "\r\n" + delim;
  auto start = body.find(delim);
  if (start == std::string_view::npos)
    return fail(Errc::invalid_argument, "multipart body has no parts");
  std::size_t pos = start + delim.size();
  std::vector<Part> parts;
  while (true) {
    if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n")
      return fail(Errc::invalid_argument, "malformed multipart delimiter");
    pos += 2;
    const auto head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string_view::npos)
      return fail(Errc::invalid_argument, "truncated multipart headers");
    Part part;
    auto headers = body.substr(pos, head_end - pos);
    while (!headers.empty()) {
      const auto eol = headers.find("\r\n");
      const auto line = headers.substr(0, eol);
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        const auto name = trim(line.substr(0, colon));
        const auto value = trim(line.substr(colon + 1));
        if (iequals_prefix(name, "content-disposition") && name.size() == 19) {
          part.name = param(value, "name");
          part.filename = param(value, "filename");
        } else if (iequals_prefix(name, "content-type") && name.size() == 12) {
          part.content_type = std::string(value);
        }
      }
      if (eol == std::string_view::npos) break;
      headers.remove_prefix(eol + 2);
    }
    const auto data_start = head_end + 4;
    const auto data_end = body.find(next_delim, data_start);
    if (data_end == std::string_view::npos)
      return fail(Errc::invalid_argument, "truncated multipart body");
    part.data = body.substr(data_start, data_end - data_start);
    if (part.name.empty())
      return fail(Errc::invalid_argument, "a multipart part has no field name");
    parts.push_back(std::move(part));
    if (parts.size() > max_parts) return fail(Errc::too_large, "too many parts in the upload");
    pos = data_end + next_delim.size();
  }
}

}  // namespace faxd::http
