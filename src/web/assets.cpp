#include "faxd/web/assets.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>

#include <fmt/format.h>
#include <sodium.h>

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

std::uint64_t fnv1a(std::string_view data) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
  return h;
}

struct Asset {
  std::string body;
  std::string type;
  std::string etag;     // strong validator: a hash of the bytes, so it changes with every build
  std::string version;  // the ?v= that makes this file's URL immutable
  std::string csp;      // index.html only: the policy that admits its inline import map
};

Asset make_asset(std::string_view path, std::string body) {
  const auto h = fnv1a(body);
  Asset a;
  a.type = std::string(content_type(path));
  a.etag = fmt::format("\"{:016x}-{:x}\"", h, body.size());
  a.version = fmt::format("{:012x}", h >> 16);
  a.body = std::move(body);
  return a;
}

// 'sha256-…' of an inline script, the CSP source that admits exactly that script.
std::string csp_hash(std::string_view script) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(script.data()), script.size());
  char b64[sodium_base64_ENCODED_LEN(sizeof digest, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  return fmt::format("'sha256-{}'", b64);
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// index.html as served: every file it names gets its versioned URL, and an import map sends
// the modules' plain imports ("./lib/api.js") to versioned URLs too, with modulepreload links so
// the browser fetches all modules at once instead of level by level. Versioned URLs are cached
// for good (a new build has new versions), so a warm page load asks only for index.html. The
// file in web/ stays plain HTML that works as it is (the e2e proxy serves it so).
Asset make_index(std::string html, const std::unordered_map<std::string, Asset>& files) {
  std::string imports, preloads;
  for (const auto& [path, asset] : files) {
    const auto url = fmt::format("/{}?v={}", path, asset.version);
    replace_all(html, fmt::format("\"/{}\"", path), fmt::format("\"{}\"", url));
    if (!path.ends_with(".js")) continue;
    imports += fmt::format("{}\"/{}\":\"{}\"", imports.empty() ? "" : ",", path, url);
    if (path != "app.js")
      preloads += fmt::format("  <link rel=\"modulepreload\" href=\"{}\">\n", url);
  }
  const auto map = fmt::format("{{\"imports\":{{{}}}}}", imports);
  const auto at = html.find("<script type=\"module\"");
  if (at != std::string::npos)
    html.insert(at, fmt::format("<script type=\"importmap\">{}</script>\n{}  ", map, preloads));
  auto index = make_asset("index.html", std::move(html));
  index.csp = http::content_security_policy(csp_hash(map));
  return index;
}

const std::unordered_map<std::string, Asset>& index() {
  static const auto map = [] {
    std::unordered_map<std::string, Asset> m;
    std::string html;
    for (const auto& f : faxd_web_assets()) {
      if (f.path == "index.html")
        html = std::string(f.data);
      else
        m.emplace(std::string(f.path), make_asset(f.path, std::string(f.data)));
    }
    if (!html.empty()) m.emplace("index.html", make_index(std::move(html), m));
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
    auto it = files.find(std::string(path));
    const bool is_file = it != files.end();
    if (!is_file) it = files.find("index.html");
    if (it == files.end()) return http::Response::error(404, "not_found", "no such resource");
    const auto& asset = it->second;
    auto res = matches(req.header("If-None-Match"), asset.etag)
                   ? http::Response::text(304, "", asset.type)
                   : http::Response::text(200, asset.body, asset.type);
    res.set("ETag", asset.etag);
    // A URL with this build's ?v= never changes: cached for good. Anything else (index.html,
    // a plain or an old versioned URL) revalidates, so an upgrade never mixes old and new
    // modules; a 304 costs one small round trip and no bytes.
    const bool versioned = is_file && req.query_param("v") == asset.version;
    res.set("Cache-Control", versioned ? "public, max-age=31536000, immutable" : "no-cache");
    if (!asset.csp.empty()) res.set("Content-Security-Policy", asset.csp);
    return res;
  });
}

}  // namespace faxd::web
