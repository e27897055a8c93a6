#include "converter.hpp"

#include <fmt/format.h>
#include <malloc.h>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <new>
#include <sstream>
#include <string_view>

#include <unistd.h>

#include "input.hpp"
#include "isolation.hpp"
#include "tiff_handle.hpp"

namespace faxd::document {

namespace {

constexpr const char* kProgram = "faxd-render";

Result<std::string> executable(const std::filesystem::path& path) {
  if (::access(path.c_str(), X_OK) == 0) return path.string();
  return fail(Errc::internal, "cannot start the document converter");
}

std::vector<std::string> with_limits(const std::string& program, std::string_view command,
                                     const ConvertOptions& options) {
  return {program,
          std::string(command),
          "--max-pages",
          std::to_string(options.max_pages),
          "--max-bytes",
          std::to_string(options.max_bytes),
          "--max-page-inches",
          fmt::format("{}", options.max_page_inches)};
}

struct Request {
  std::string command;  // "inspect" | "convert"
  ConvertOptions options;
  Quality quality = Quality::fine;
  std::string out_tiff;
  std::vector<std::string> inputs;
};

Result<Request> parse(int argc, char** argv) {
  const auto usage = [] { return fail(Errc::internal, "the document converter was misused"); };
  if (argc < 2) return usage();
  Request r;
  r.command = argv[1];
  if (r.command != "inspect" && r.command != "convert") return usage();
  int i = 2;
  try {
    for (; i < argc && std::string_view(argv[i]) != "--"; i += 2) {
      if (i + 1 >= argc) return usage();
      const std::string_view key = argv[i];
      const std::string value = argv[i + 1];
      if (key == "--max-pages")
        r.options.max_pages = std::stoi(value);
      else if (key == "--max-bytes")
        r.options.max_bytes = std::stoull(value);
      else if (key == "--max-page-inches")
        r.options.max_page_inches = std::stod(value);
      else if (key == "--threads")
        r.options.threads = std::stoi(value);
      else if (key == "--out")
        r.out_tiff = value;
      else if (key == "--quality" && parse_quality(value))
        r.quality = *parse_quality(value);
      else
        return usage();
    }
  } catch (const std::exception&) {
    return usage();
  }
  for (++i; i < argc; ++i) r.inputs.emplace_back(argv[i]);
  if (r.inputs.empty() || (r.command == "inspect" && r.inputs.size() != 1) ||
      (r.command == "convert" && r.out_tiff.empty()))
    return usage();
  r.options.isolate = false;  // this is the isolated process
  return r;
}

Result<std::string> run(const Request& r) {
  silence_libtiff();
  if (r.command == "inspect") {
    auto in = load_input(r.inputs[0], r.options);
    if (!in) return std::unexpected(in.error());
    return std::to_string(in->pages.size());
  }
  // One job a process: keep freed page buffers in the heap instead of returning them to the
  // kernel, so each page does not fault in fresh megabytes again.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  ConvertOptions options = r.options;
  options.on_page = [] {
    const char dot = kProgress;
    (void)!::write(kReplyFd, &dot, 1);
  };
  auto info = convert_here(r.inputs, r.out_tiff, r.quality, options);
  if (!info) return std::unexpected(info.error());
  return serialize(*info);
}

void write_all(int fd, const char* data, std::size_t size) noexcept {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= std::size_t(n);
  }
}

std::string error_reply(Errc code, const std::string& message) {
  std::string reply = "E";
  reply += char('0' + int(code));
  return reply + message;
}

}  // namespace

Result<std::string> converter_path() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return fail(Errc::internal, "cannot start the document converter");
  if (auto beside = executable(self.parent_path() / kProgram)) return beside;
#ifdef FAXD_BUILD_DIR
  // A test or benchmark program of the build tree uses the build tree's converter (never an
  // installed binary: the build tree may not be there, or be anybody's).
  const std::string build = FAXD_BUILD_DIR;
  if (self.string().starts_with(build + "/"))
    return executable(std::filesystem::path(build) / kProgram);
#endif
  return fail(Errc::internal, "cannot start the document converter");
}

std::vector<std::string> inspect_command(const std::string& program, const std::string& path,
                                         const ConvertOptions& options) {
  auto command = with_limits(program, "inspect", options);
  command.insert(command.end(), {"--", path});
  return command;
}

std::vector<std::string> convert_command(const std::string& program,
                                         const std::vector<std::string>& inputs,
                                         const std::string& out_tiff, Quality quality,
                                         const ConvertOptions& options) {
  auto command = with_limits(program, "convert", options);
  command.insert(command.end(), {"--quality", std::string(to_string(quality)), "--threads",
                                 std::to_string(options.threads), "--out", out_tiff, "--"});
  command.insert(command.end(), inputs.begin(), inputs.end());
  return command;
}

std::string serialize(const FaxDocumentInfo& info) {
  std::string s;
  for (const auto& p : info.page_info)
    s += fmt::format("{} {} {} {} {}\n", p.width, p.height, p.x_dpi, p.y_dpi, p.coded_bytes);
  return s;
}

FaxDocumentInfo deserialize(const std::string& s) {
  FaxDocumentInfo info;
  std::istringstream in(s);
  PageInfo p;
  while (in >> p.width >> p.height >> p.x_dpi >> p.y_dpi >> p.coded_bytes) {
    info.page_info.push_back(p);
    info.coded_bytes += p.coded_bytes;
  }
  info.pages = int(info.page_info.size());
  return info;
}

int converter_main(int argc, char** argv) {
  auto request = parse(argc, argv);
  if (!request) {
    std::fprintf(stderr, "faxd-render is faxd's document converter; faxd runs it itself\n");
    const auto reply = error_reply(Errc::internal, "the document converter failed");
    write_all(kReplyFd, reply.data(), reply.size());
    return 2;
  }
  std::string reply;
  try {
    auto result = run(*request);
    reply = result ? "O" + *result : error_reply(result.error().code, result.error().message);
  } catch (const std::bad_alloc&) {
    reply = error_reply(Errc::too_large, "the document needs too much memory to render");
  } catch (...) {
    reply = error_reply(Errc::invalid_argument, "the document is damaged (rendering failed)");
  }
  write_all(kReplyFd, reply.data(), reply.size());
  ::close(kReplyFd);
  return 0;
}

}  // namespace faxd::document
