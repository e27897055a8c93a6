#include "faxd/http/router.hpp"

namespace faxd::http {

namespace {
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}
}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  Route r{std::move(method), std::move(pattern), {}, std::move(handler), options};
  for (auto seg : split_path(r.pattern)) r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

const Router::Route* Router::match(std::string_view method, std::string_view path, Params* params,
                                   bool* path_known) const {
  const auto parts = split_path(path);
  if (path_known) *path_known = false;
  for (const auto& r : routes_) {
    if (r.segments.size() != parts.size()) continue;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      const auto& seg = r.segments[i];
      const bool placeholder = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
      ok = placeholder ? !parts[i].empty() : seg == parts[i];
    }
    if (!ok) continue;
    if (path_known) *path_known = true;
    if (r.method != method && !(method == "HEAD" && r.method == "GET")) continue;
    if (params) {
      params->clear();
      for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& seg = r.segments[i];
        if (seg.size() > 2 && seg.front() == '{')
          params->emplace(seg.substr(1, seg.size() - 2), std::string(parts[i]));
      }
    }
    return &r;
  }
  return nullptr;
}

Response Router::dispatch(const Request& request) const {
  Params params;
  bool path_known = false;
  if (const auto* r = match(request.method, request.path, &params, &path_known))
    return r->handler(request, params);
  if (path_known) return Response::error(405, "method_not_allowed", "method not allowed here");
  if (fallback_) return fallback_(request, params);
  return Response::error(404, "not_found", "no such resource");
}

std::size_t Router::body_limit(std::string_view method, std::string_view path) const {
  if (const auto* r = match(method, path, nullptr, nullptr)) return r->options.max_body_bytes;
  return RouteOptions{}.max_body_bytes;
}

std::string Router::route_label(std::string_view method, std::string_view path) const {
  if (const auto* r = match(method, path, nullptr, nullptr)) return r->method + " " + r->pattern;
  return "other";
}

}  // namespace faxd::http
