// Runs a fuzz target's entry function over every file of its seed corpus, so the normal (gcc)
// build and `make test` exercise the same code the clang libFuzzer build explores.
// Usage: fuzz_smoke udptl|rtp DIR
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

int fuzz_udptl_decoder(const std::uint8_t* data, std::size_t size);
int fuzz_rtp_packet(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_smoke udptl|rtp DIR\n");
    return 2;
  }
  const std::string target = argv[1];
  auto* entry = target == "udptl" ? &fuzz_udptl_decoder
                : target == "rtp" ? &fuzz_rtp_packet
                                  : nullptr;
  if (!entry) return 2;
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(argv[2])) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    entry(bytes.data(), bytes.size());
    ++files;
  }
  std::printf("%s: %d seed files ran clean\n", argv[1], files);
  return files > 0 ? 0 : 1;  // an empty corpus means the test is not testing anything
}
