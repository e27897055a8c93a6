#include "migration_dialect.hpp"

#include <regex>

namespace faxd::store::detail {

namespace {

// Keeps the lines outside any block and inside the `keep` blocks; drops the `drop` blocks.
std::string select_blocks(std::string_view sql, std::string_view keep, std::string_view drop) {
  std::string out;
  bool dropping = false;
  std::size_t pos = 0;
  while (pos < sql.size()) {
    std::size_t eol = sql.find('\n', pos);
    if (eol == std::string_view::npos) eol = sql.size();
    const std::string_view line = sql.substr(pos, eol - pos);
    const auto marker = [&](std::string_view which, std::string_view edge) {
      return line.find("-- faxd:" + std::string(which) + "-only " + std::string(edge)) !=
             std::string_view::npos;
    };
    if (marker(drop, "begin")) {
      dropping = true;
    } else if (marker(drop, "end")) {
      dropping = false;
    } else if (!dropping && !marker(keep, "begin") && !marker(keep, "end")) {
      out.append(line);
      out += '\n';
    }
    pos = eol + 1;
  }
  return out;
}

}  // namespace

std::string sqlite_dialect(std::string_view sql) {
  return select_blocks(sql, "sqlite", "postgresql");
}

std::string postgresql_dialect(std::string_view sql) {
  std::string out = select_blocks(sql, "postgresql", "sqlite");
  static const std::regex autoincrement(R"(INTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT)",
                                        std::regex::icase);
  static const std::regex blob(R"(\bBLOB\b)");
  out = std::regex_replace(out, autoincrement, "BIGSERIAL PRIMARY KEY");
  return std::regex_replace(out, blob, "BYTEA");
}

}  // namespace faxd::store::detail
