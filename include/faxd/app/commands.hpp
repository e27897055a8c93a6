#pragma once
// One-shot commands run from the command line (not the daemon).
#include <string>
#include <vector>

namespace faxd::app {

// faxd convert IN OUT [--quality standard|fine]; returns the exit code.
int run_convert(const std::vector<std::string>& args);

// faxd store copy --from sqlite:PATH --to postgresql://...; returns the exit code.
int run_store(const std::vector<std::string>& args);

}  // namespace faxd::app
