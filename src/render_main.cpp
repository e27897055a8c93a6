// faxd-render: the document converter process that faxd starts (fork + exec) for every upload it
// renders; see src/document/converter.hpp. Not meant to be run by hand.
#include <unistd.h>

#include "converter.hpp"

int main(int argc, char** argv) {
  // One job a process: its reply is written, so leave without tearing poppler and fontconfig
  // down (and without a sanitizer build's leak report on every conversion).
  _exit(faxd::document::converter_main(argc, argv));
}
