// faxd entry point: everything happens in the app library (src/app).
#include "faxd/app/app.hpp"

int main(int argc, char** argv) {
  return faxd::app::run_cli(argc, argv);
}
