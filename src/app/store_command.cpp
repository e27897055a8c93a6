// faxd store copy --from sqlite:PATH --to postgresql://...: an embedded install's store, with
// its documents, into an empty PostgreSQL database (see store/store_copy.hpp). Exit 0 with a
// summary on stdout, 1 on failure (the reason on stderr), 2 on bad usage.
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <sstream>

#include "faxd/app/commands.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/store_copy.hpp"

namespace faxd::app {

namespace {

constexpr std::string_view kUsage =
    "usage: faxd store copy --from sqlite:PATH --to postgresql://USER@HOST/DB\n"
    "  PATH is the faxd.db of an embedded install; its documents are read from the spool\n"
    "  directory beside it. The target database must be empty; faxd creates its tables.\n";

int failed(std::string_view what, const Error& e) {
  std::cerr << "faxd store copy: " << what << ": " << e.message << "\n";
  return 1;
}

}  // namespace

int run_store(const std::vector<std::string>& args) {
  std::string from, to;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--from" && i + 1 < args.size())
      from = args[++i];
    else if (args[i] == "--to" && i + 1 < args.size())
      to = args[++i];
    else
      from = to = "";
  }
  if (args.empty() || args[0] != "copy" || from.empty() || to.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  auto source = store::StoreUrl::parse(from, ".");
  if (!source) return failed("--from", source.error());
  if (source->backend != store::Backend::sqlite || !std::filesystem::exists(source->target)) {
    std::cerr << "faxd store copy: --from must name an existing SQLite store (sqlite:PATH)\n";
    return 1;
  }
  auto target = store::StoreUrl::parse(to, ".");
  if (!target) return failed("--to", target.error());
  auto from_db = store::Db::open(*source);
  if (!from_db) return failed(source->target, from_db.error());
  auto to_db = store::Db::open(*target);
  if (!to_db) return failed(store::StoreUrl::redact(target->target), to_db.error());

  const auto spool = std::filesystem::path(source->target).parent_path() / "spool";
  const auto read_document = [&](const std::string& relative) -> std::optional<std::string> {
    std::ifstream in(spool / relative, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return std::move(ss).str();
  };
  auto report = store::copy_store(**from_db, **to_db, read_document, SystemClock{}.now());
  if (!report) return failed("copy", report.error());
  std::int64_t rows = 0;
  for (const auto& [table, n] : report->rows) {
    std::cout << fmt::format("{:<24} {:>10} rows\n", table, n);
    rows += n;
  }
  std::cout << fmt::format("copied {} rows and {} documents from {} to {}\n", rows,
                           report->documents, source->target,
                           store::StoreUrl::redact(target->target));
  return 0;
}

}  // namespace faxd::app
