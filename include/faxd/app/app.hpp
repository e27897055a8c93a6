#pragma once
// The composition root: builds every subsystem from the configuration, wires them together and
// runs the event loop until SIGTERM. Nothing else in faxd creates long-lived objects.
//
// Threads: the control thread (the caller of run()) runs the io_context with HTTP connections,
// SIP and timers; a small worker pool runs handlers and other blocking work (SQLite, conversion,
// mail). See docs/architecture.md.
#include <memory>
#include <string>

#include "faxd/config/config.hpp"

namespace faxd::app {

class App {
 public:
  App(config::Config config, std::string config_path);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Starts everything and blocks until stopped; returns the process exit code.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The command line (see `faxd --help`); returns the exit code.
int run_cli(int argc, char** argv);

}  // namespace faxd::app
