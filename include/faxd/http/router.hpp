#pragma once
// Maps method + path pattern to a handler. Patterns are literal segments and "{name}"
// placeholders ("/api/v1/faxes/{id}/pages/{n}/thumbnail"); the placeholder values are passed to
// the handler. Unknown paths answer 404, a known path with another method 405. Pure: no I/O.
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/http/message.hpp"

namespace faxd::http {

using Params = std::map<std::string, std::string, std::less<>>;
using Handler = std::function<Response(const Request&, const Params&)>;

struct RouteOptions {
  std::size_t max_body_bytes = 1u << 20;  // larger bodies are refused with 413 before reading
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
  // Handler for paths no route matched (the web UI's static files); default 404.
  void set_fallback(Handler handler) { fallback_ = std::move(handler); }

  Response dispatch(const Request& request) const;
  // Body limit of the route a request would reach, known from the head alone.
  std::size_t body_limit(std::string_view method, std::string_view path) const;
  // The matched pattern ("GET /api/v1/faxes/{id}"), for metrics; "other" when none.
  std::string route_label(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    RouteOptions options;
  };
  const Route* match(std::string_view method, std::string_view path, Params* params,
                     bool* path_known) const;

  std::vector<Route> routes_;
  Handler fallback_;
};

}  // namespace faxd::http
