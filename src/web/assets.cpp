#include "faxd/web/assets.hpp"

#include <string>
#include <unordered_map>

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

const std::unordered_map<std::string_view, std::string_view>& index() {
  static const auto map = [] {
    std::unordered_map<std::string_view, std::string_view> m;
    for (const auto& f : faxd_web_assets()) m.emplace(f.path, f.data);
    return m;
  }();
  return map;
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
    auto res = http::Response::text(200, std::string(it->second),
                                    std::string(content_type(is_file ? path : "index.html")));
    // index.html always revalidates; assets are small and change with each build.
    res.set("Cache-Control", is_file && path != "index.html" ? "public, max-age=300" : "no-cache");
    return res;
  });
}

}  // namespace faxd::web
