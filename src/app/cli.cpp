// Command line parsing: faxd --config FILE | --check-config | convert IN OUT | --version | --help
#include <fmt/format.h>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "faxd/app/app.hpp"
#include "faxd/app/commands.hpp"
#include "faxd/common/log.hpp"
#include "faxd/config/config.hpp"

#ifndef FAXD_VERSION
#define FAXD_VERSION "0.0.0"
#endif

namespace faxd::app {

namespace {

constexpr std::string_view kHelp = R"(faxd: self-hosted virtual fax service

Usage:
  faxd --config FILE                  run the daemon in the foreground (logs to stderr)
  faxd --check-config --config FILE   validate FILE; print each problem as FILE:LINE: message
  faxd convert IN OUT [--quality standard|fine]
                                      PDF or TIFF to fax TIFF-F, or fax TIFF to PDF, by extension
  faxd store copy --from sqlite:PATH --to postgresql://...
                                      copy a single node's store (documents included) into an
                                      empty database, to grow into a cluster
  faxd --version                      print the version
  faxd --help                         print this help

Signals: SIGTERM stops taking new work, lets running faxes finish (daemon.shutdown_grace_s)
and exits 0; SIGHUP reloads the log level and SMTP settings.
)";

}  // namespace

int run_cli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kHelp;
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    std::cout << kHelp;
    return 0;
  }
  if (args[0] == "--version") {
    std::cout << "faxd " << FAXD_VERSION << "\n";
    return 0;
  }
  if (args[0] == "convert")
    return run_convert(std::vector<std::string>(args.begin() + 1, args.end()));
  if (args[0] == "store") return run_store(std::vector<std::string>(args.begin() + 1, args.end()));

  std::string config_path;
  bool check_only = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else if (args[i].starts_with("--config=")) {
      config_path = args[i].substr(9);
    } else if (args[i] == "--check-config") {
      check_only = true;
    } else {
      std::cerr << "faxd: unknown argument '" << args[i] << "' (see faxd --help)\n";
      return 2;
    }
  }
  if (config_path.empty()) {
    std::cerr << "faxd: --config FILE is required (see faxd --help)\n";
    return 2;
  }
  auto config = config::load(config_path);
  if (!config) {
    std::cerr << config::format_problems(config_path, config.error());
    return 1;
  }
  if (check_only) {
    std::cout << config_path << ": ok\n";
    return 0;
  }
  if (auto r = setup_logging(config->log.level, config->log.format); !r) {
    std::cerr << "faxd: " << r.error().message << "\n";
    return 1;
  }
  try {
    App app(std::move(*config), config_path);
    return app.run();
  } catch (const std::exception& e) {
    spdlog::critical("daemon.fatal error={}", e.what());
    return 1;
  }
}

}  // namespace faxd::app
