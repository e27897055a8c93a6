#include <iostream>

#include "faxd/app/commands.hpp"

namespace faxd::app {

int run_convert(const std::vector<std::string>&) {
  std::cerr << "faxd convert: the document pipeline is not built yet\n";
  return 1;
}

}  // namespace faxd::app
