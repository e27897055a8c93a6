#include "faxd/app/app.hpp"

#include <filesystem>
#include <fmt/format.h>

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>

#include "faxd/api/api.hpp"
#include "faxd/common/log.hpp"
#include "faxd/common/metrics.hpp"
#include "faxd/common/secrets.hpp"
#include "faxd/http/router.hpp"
#include "faxd/http/server.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/user_repo.hpp"
#include "faxd/web/assets.hpp"

namespace faxd::app {

namespace asio = boost::asio;

struct App::Impl {
  config::Config config;
  std::string config_path;
  SystemClock clock;
  asio::io_context io{1};
  asio::thread_pool workers{4};
  std::unique_ptr<store::Db> db;
  std::unique_ptr<store::UserRepo> users;
  metrics::Registry metrics;
  http::Router router;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<http::Server> http;
  asio::signal_set stop_signals{io, SIGTERM, SIGINT};
  asio::signal_set hup_signal{io, SIGHUP};
  asio::steady_timer shutdown_timer{io};
  bool stopping = false;

  void open_store() {
    const std::filesystem::path dir(config.daemon.data_dir);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      throw std::runtime_error(
          fmt::format("cannot create data directory {}: {}", dir.string(), ec.message()));
    auto opened = store::Db::open_sqlite({.path = (dir / "faxd.db").string()});
    if (!opened) throw std::runtime_error("store: " + opened.error().message);
    db = std::move(*opened);
    users = std::make_unique<store::UserRepo>(*db, clock);
  }

  // First start: the store has no platform admin yet, so create it from [admin].
  void bootstrap_admin() {
    auto count = users->count_with_role(store::Role::platform_admin);
    if (!count) throw std::runtime_error("store: " + count.error().message);
    if (*count > 0) return;
    if (config.admin.password.empty())
      throw std::runtime_error(fmt::format(
          "{}: admin.password is required on first start (no platform admin exists yet)",
          config_path));
    auto created = users->create({.username = config.admin.username,
                                  .password_hash = hash_password(config.admin.password),
                                  .role = store::Role::platform_admin});
    if (!created) throw std::runtime_error("cannot create the platform admin: " + created.error().message);
    spdlog::info("daemon.admin_created user={}", config.admin.username);
  }

  void start_http() {
    api = std::make_unique<api::Api>(api::Context{*db, clock, config, *users});
    api->add_routes(router);
    web::add_routes(router);
    router.add("GET", "/metrics", [this](const http::Request&, const http::Params&) {
      return http::Response::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    http::ServerOptions options{.listen = config.http.listen,
                                .tls_cert = config.http.tls_cert,
                                .tls_key = config.http.tls_key};
    http = std::make_unique<http::Server>(io, options, router, [this](std::function<void()> f) {
      asio::post(workers, std::move(f));
    });
    auto& requests = metrics.counter("faxd_http_requests_total", "HTTP requests answered",
                                     {"route", "status"});
    auto& latency = metrics.histogram("faxd_http_request_duration_seconds",
                                      "Time from the end of the request to the response",
                                      {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5}, {"route"});
    http->set_observer([this, &requests, &latency](const http::Request& req, int status,
                                                   std::chrono::microseconds took) {
      const auto route = router.route_label(req.method, req.path);
      requests.with({route, std::to_string(status)}).inc();
      latency.with({route}).observe(static_cast<double>(took.count()) / 1e6);
    });
    metrics.gauge_callback("faxd_http_connections", "Open HTTP connections",
                           [this] { return static_cast<double>(http->open_connections()); });
    if (auto r = http->start(); !r) throw std::runtime_error(r.error().message);
    spdlog::info("http.listening addr={} port={}", config.http.listen.host, http->port());
  }

  void wait_for_signals() {
    stop_signals.async_wait([this](boost::system::error_code ec, int sig) {
      if (ec) return;
      spdlog::info("daemon.stopping signal={} grace_s={}", sig, config.daemon.shutdown_grace_s);
      begin_shutdown();
    });
    hup_signal.async_wait([this](boost::system::error_code ec, int) {
      if (ec) return;
      reload();
      wait_for_signals_hup();
    });
  }
  void wait_for_signals_hup() {
    hup_signal.async_wait([this](boost::system::error_code ec, int) {
      if (ec) return;
      reload();
      wait_for_signals_hup();
    });
  }

  // SIGHUP: a new snapshot of the file; only what can change live is applied.
  void reload() {
    auto fresh = config::load(config_path);
    if (!fresh) {
      spdlog::error("daemon.reload_failed problems={}", config::format_problems(config_path, fresh.error()));
      return;
    }
    if (auto r = set_log_level(fresh->log.level); !r) spdlog::error("daemon.reload_failed error={}", r.error().message);
    config.log = fresh->log;
    config.smtp = fresh->smtp;
    spdlog::info("daemon.reloaded level={}", config.log.level);
  }

  void begin_shutdown() {
    if (stopping) return;
    stopping = true;
    http->stop();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(config.daemon.shutdown_grace_s);
    poll_shutdown(deadline);
  }

  // Waits for live work to finish (up to the grace period), then leaves the event loop.
  void poll_shutdown(std::chrono::steady_clock::time_point deadline) {
    const bool idle = active_work() == 0;
    if (idle || std::chrono::steady_clock::now() >= deadline) {
      if (!idle) spdlog::warn("daemon.grace_expired active={}", active_work());
      io.stop();
      return;
    }
    shutdown_timer.expires_after(std::chrono::milliseconds(100));
    shutdown_timer.async_wait([this, deadline](boost::system::error_code ec) {
      if (!ec) poll_shutdown(deadline);
    });
  }

  // Live calls and transfers that a shutdown waits for.
  int active_work() const { return 0; }
};

App::App(config::Config config, std::string config_path) : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  impl_->config_path = std::move(config_path);
}

App::~App() = default;

int App::run() {
  auto& s = *impl_;
  if (!init_crypto()) throw std::runtime_error("libsodium failed to initialise");
  s.open_store();
  s.bootstrap_admin();
  s.start_http();
  s.wait_for_signals();
  spdlog::info("daemon.started data_dir={}", s.config.daemon.data_dir);
  s.io.run();
  s.workers.join();
  spdlog::info("daemon.stopped");
  return 0;
}

}  // namespace faxd::app
