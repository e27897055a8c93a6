#include <libpq-fe.h>

#include <fmt/format.h>
#include <regex>

#include "faxd/store/db.hpp"

namespace faxd::store {

Result<StoreUrl> StoreUrl::parse(std::string_view url, const std::filesystem::path& data_dir) {
  if (url.empty()) return StoreUrl{Backend::sqlite, (data_dir / "faxd.db").string()};
  if (url.starts_with("sqlite:")) {
    std::filesystem::path path(url.substr(7));
    if (path.empty()) path = "faxd.db";
    if (path.is_relative()) path = data_dir / path;
    return StoreUrl{Backend::sqlite, path.string()};
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(std::string(url).c_str(), &error);
    if (!options) {
      std::string why = error ? error : "not a connection URI";
      if (error) PQfreemem(error);
      while (!why.empty() && why.back() == '\n') why.pop_back();
      return fail(Errc::invalid_argument, fmt::format("store.url: {}: {}", redact(url), why));
    }
    PQconninfoFree(options);
    return StoreUrl{Backend::postgresql, std::string(url)};
  }
  return fail(Errc::invalid_argument,
              fmt::format("store.url: expected \"sqlite:PATH\" or \"postgresql://...\", got \"{}\"",
                          redact(url)));
}

std::string StoreUrl::redact(std::string_view url) {
  static const std::regex userinfo(R"(://([^:/@]*):[^@/]*@)");
  static const std::regex password(R"((password=)[^&]*)");
  std::string out = std::regex_replace(std::string(url), userinfo, "://$1:***@");
  return std::regex_replace(out, password, "$1***");
}

Result<std::unique_ptr<Db>> Db::open(const StoreUrl& url) {
  if (url.backend == Backend::postgresql) return open_postgresql({.url = url.target});
  if (const auto dir = std::filesystem::path(url.target).parent_path(); !dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
  }
  return open_sqlite({.path = url.target});
}

}  // namespace faxd::store
