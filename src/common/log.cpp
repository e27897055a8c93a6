#include "faxd/common/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace faxd {

namespace {

// Turns "event key=value key=value free text" into one JSON object per line.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::json j;
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    j["ts_ms"] = ms;
    j["level"] = std::string(spdlog::level::to_string_view(msg.level).data(),
                             spdlog::level::to_string_view(msg.level).size());
    std::string_view text(msg.payload.data(), msg.payload.size());
    std::string rest;
    bool first = true;
    while (!text.empty()) {
      const auto sp = text.find(' ');
      const auto word = text.substr(0, sp);
      const auto eq = word.find('=');
      if (first && eq == std::string_view::npos) {
        j["event"] = std::string(word);
      } else if (eq != std::string_view::npos && eq > 0 && rest.empty()) {
        j[std::string(word.substr(0, eq))] = std::string(word.substr(eq + 1));
      } else {
        rest = std::string(text);
        break;
      }
      first = false;
      if (sp == std::string_view::npos) break;
      text.remove_prefix(sp + 1);
    }
    if (!rest.empty()) j["msg"] = rest;
    const auto line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

Result<void> set_log_level(std::string_view level) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off")
    return fail(Errc::invalid_argument, "unknown log level '" + std::string(level) + "'");
  spdlog::set_level(lvl);
  return {};
}

Result<void> setup_logging(std::string_view level, LogFormat format) {
  auto logger =
      std::make_shared<spdlog::logger>("faxd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (format == LogFormat::json)
    logger->set_formatter(std::make_unique<JsonFormatter>());
  else
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::flush_on(spdlog::level::info);
  return set_log_level(level);
}

}  // namespace faxd
