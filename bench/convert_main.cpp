// faxd-convert: `faxd convert` alone (the same run_convert, linked without the daemon), so the
// document benchmark can run while the daemon's other subsystems do not build. document.bench.sh
// prefers the real faxd binary when it exists.
#include <string>
#include <vector>

#include "faxd/app/commands.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "convert") args.erase(args.begin());
  return faxd::app::run_convert(args);
}
