#include "faxd/web/assets.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "faxd/common/embedded.hpp"

std::span<const faxd::EmbeddedFile> faxd_web_assets();

namespace faxd::web {

namespace {

std::string_view content_type(std::string_view path) {
  auto ends = [&](std::string_view ext) { return path.ends_with(ext); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".json") || ends(".webmanifest")) return "application/json";
  return "application/octet-stream";
}

struct Asset {
  std::string_view data;
  std::string etag;  // strong validator: a hash of the bytes, so it changes with every build
};

std::string etag_of(std::string_view data) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a 64
  for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
  return fmt::format("\"{:016x}-{:x}\"", h, data.size());
}

const std::unordered_map<std::string_view, Asset>& index() {
  static const auto map = [] {
    std::unordered_map<std::string_view, Asset> m;
    for (const auto& f : faxd_web_assets()) m.emplace(f.path, Asset{f.data, etag_of(f.data)});
    return m;
  }();
  return map;
}

// If-None-Match holds this tag (or "*"): the browser's copy is current.
bool matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  return if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

void add_routes(http::Router& router) {
  router.set_fallback([](const http::Request& req, const http::Params&) {
    if (req.method != "GET" && req.method != "HEAD")
      return http::Response::error(404, "not_found", "no such resource");
    if (req.path.starts_with("/api/"))
      return http::Response::error(404, "not_found", "no such resource");
    std::string_view path = req.path;
    while (path.starts_with('/')) path.remove_prefix(1);
    const auto& files = index();
    auto it = files.find(path);
    const bool is_file = it != files.end();
    if (!is_file) it = files.find("index.html");
    if (it == files.end()) return http::Response::error(404, "not_found", "no such resource");
    // Every file revalidates (no-cache + ETag): the modules import each other by plain URLs, so
    // a cached app.js of the old version next to a new api.js after an upgrade would break the
    // UI; a 304 costs one small round trip and no bytes.
    const auto type = std::string(content_type(is_file ? path : "index.html"));
    const auto& etag = it->second.etag;
    auto res = matches(req.header("If-None-Match"), etag)
                   ? http::Response::text(304, "", type)
                   : http::Response::text(200, std::string(it->second.data), type);
    res.set("ETag", etag);
    res.set("Cache-Control", "no-cache");
    return res;
  });
}

}  // namespace faxd::web
