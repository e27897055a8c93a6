// Runs one fuzz target's entry function over every file of its seed corpus, so the normal (gcc)
// build and `make test` exercise the same code the clang libFuzzer build explores. Built once
// per target (tests/fuzz/smoke.cmake) with FAXD_FUZZ_ENTRY naming the entry function.
// Usage: fuzz_smoke_<target> DIR
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#ifndef FAXD_FUZZ_ENTRY
#error "FAXD_FUZZ_ENTRY must name the target's entry function"
#endif

int FAXD_FUZZ_ENTRY(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(argv[1])) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    FAXD_FUZZ_ENTRY(bytes.data(), bytes.size());
    ++files;
  }
  std::printf("%s: %d seed files ran clean\n", argv[1], files);
  return files > 0 ? 0 : 1;  // an empty corpus means the test is not testing anything
}
