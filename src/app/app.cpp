#include "app_impl.hpp"

namespace faxd::app {

// [cluster] node, else the host name.
std::string node_name(const config::Config& config) {
  if (!config.cluster.node.empty()) return config.cluster.node;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == 0) return "local";
  return host;
}

namespace {

// [retry] as the queue's policy.
jobs::RetryPolicy retry_policy(const config::RetryConfig& r) {
  using std::chrono::seconds;
  return {.busy = seconds(r.busy_s),
          .no_answer = seconds(r.no_answer_s),
          .carrier_unreachable = seconds(r.carrier_unreachable_s),
          .not_a_fax = seconds(r.not_a_fax_s),
          .negotiation_failed = seconds(r.negotiation_failed_s),
          .transfer_failed = seconds(r.transfer_failed_s),
          .max_dials = r.max_dials,
          .max_tries = r.max_tries,
          .kill_time = std::chrono::minutes(r.kill_time_min)};
}

// Sealed secrets in the store that `box` cannot open: written with another key (a cluster's
// other node with a key_file of its own, or a key file replaced).
Result<int> foreign_secrets(store::Db& db, const SecretBox& box) {
  return db.read([&](store::Conn& c) {
    int foreign = 0;
    for (const char* sql : {"SELECT password FROM carriers", "SELECT secret FROM webhooks"}) {
      auto& st = c.prepare(sql);
      while (st.step())
        if (SecretBox::is_sealed(st.text(0)) && !box.open(st.text(0))) ++foreign;
    }
    return foreign;
  });
}
}  // namespace

void App::Impl::open_store() {
  // Everything faxd writes (database, spool, key) is the service user's alone, whoever
  // started it and whatever the umask was (the Debian package sets the same in its unit).
  ::umask(077);
  const fs::path dir(config.daemon.data_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error(
        fmt::format("cannot create data directory {}: {}", dir.string(), ec.message()));
  // Stores made by an older faxd may be readable by others: close the directory (files
  // inside are then out of reach) and the database files themselves.
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) spdlog::warn("daemon.data_dir_mode dir={} error={}", dir.string(), ec.message());
  for (const char* name : {"faxd.db", "faxd.db-wal", "faxd.db-shm"}) {
    if (fs::exists(dir / name, ec))
      fs::permissions(dir / name, fs::perms::owner_read | fs::perms::owner_write,
                      fs::perm_options::replace, ec);
  }
  const std::string key_file =
      config.daemon.key_file.empty() ? (dir / "secret.key").string() : config.daemon.key_file;
  auto box = SecretBox::load_or_create(key_file);
  if (!box) throw std::runtime_error("[daemon] key_file: " + box.error().message);
  secrets = std::make_unique<SecretBox>(std::move(*box));
  auto url = store::StoreUrl::parse(config.store.url, dir);
  if (!url) throw std::runtime_error(url.error().message);
  auto opened = store::Db::open(*url);
  if (!opened)
    throw std::runtime_error(
        fmt::format("store {}: {}", store::StoreUrl::redact(url->target), opened.error().message));
  db = std::move(*opened);
  spdlog::info("store.opened backend={} url={} node={}",
               url->backend == store::Backend::postgresql ? "postgresql" : "sqlite",
               store::StoreUrl::redact(url->target), node_name(config));
  users = std::make_unique<store::UserRepo>(*db, clock);
  tenants = std::make_unique<store::TenantRepo>(*db, clock);
  faxes = std::make_unique<store::FaxRepo>(*db, clock);
  faxes->set_listener(&fax_metrics);
  ddis = std::make_unique<store::DdiRepo>(*db, clock);
  cover_templates = std::make_unique<store::CoverTemplateRepo>(*db, clock);
  vfaxes = std::make_unique<store::VirtualFaxRepo>(*db, clock);
  carriers = std::make_unique<store::CarrierRepo>(*db, clock, secrets.get());
  destinations = std::make_unique<store::DestinationRepo>(*db, clock);
  outbox = std::make_unique<store::MailOutboxRepo>(*db);
  templates = std::make_unique<store::NotificationTemplateRepo>(*db, clock);
  webhooks = std::make_unique<store::WebhookRepo>(*db, secrets.get());
  calls = std::make_unique<store::CallRepo>(*db);
  csv_schedules = std::make_unique<store::CallCsvScheduleRepo>(*db, clock);
  retention = std::make_unique<store::RetentionRepo>(*db);
  // Every node of a cluster must seal with the same key: refuse to start rather than send
  // blank carrier passwords and unsigned webhooks.
  auto foreign = foreign_secrets(*db, *secrets);
  if (!foreign) throw std::runtime_error("store: " + foreign.error().message);
  if (*foreign > 0)
    throw std::runtime_error(fmt::format(
        "[daemon] key_file {}: {} stored secret(s) were sealed with another key; every node "
        "sharing this store needs the same key file (copy it from the first node)",
        key_file, *foreign));
  // Rows written by a faxd before secrets were sealed: sealed now, once.
  auto sealed_carriers = carriers->seal_plaintext_secrets();
  auto sealed_hooks = webhooks->seal_plaintext_secrets();
  if (!sealed_carriers || !sealed_hooks)
    throw std::runtime_error(
        "store: cannot seal stored secrets: " +
        (!sealed_carriers ? sealed_carriers.error().message : sealed_hooks.error().message));
  if (*sealed_carriers + *sealed_hooks > 0)
    spdlog::info("daemon.secrets_sealed carriers={} webhooks={}", *sealed_carriers, *sealed_hooks);
  // In a cluster the documents live in the database too; the spool is this node's copies.
  if (db->backend() == store::Backend::postgresql) {
    documents = std::make_unique<store::DocumentRepo>(*db);
    spool = std::make_unique<jobs::Spool>(dir / "spool", *documents, clock);
  } else {
    spool = std::make_unique<jobs::Spool>(dir / "spool");
  }
  if (auto r = spool->prepare(); !r) throw std::runtime_error(r.error().message);
  fs::permissions(dir / "spool", fs::perms::owner_all, fs::perm_options::replace, ec);
}

// A bootstrap password that fails the password policy (the demo's "admin" and "demo") is
// taken only while nobody but this machine can reach the web UI.
void App::Impl::check_bootstrap_password(std::string_view what, std::string_view username,
                                         std::string_view password) {
  auto problem = password_problem(password, username);
  if (!problem) return;
  boost::system::error_code ec;
  const auto listen = asio::ip::make_address(config.http.listen.host, ec);
  if (!ec && listen.is_loopback()) {
    spdlog::warn(
        "daemon.weak_password account={} problem=\"{}\" (accepted: [http] listen is "
        "loopback only)",
        username, *problem);
    return;
  }
  throw std::runtime_error(fmt::format(
      "{}: {} fails the password policy ({}); a weak bootstrap password is accepted only "
      "while [http] listen is a loopback address, and it is {}: set a stronger one",
      config_path, what, *problem, config.http.listen.to_string()));
}

// First start: the store has no platform admin yet, so create it from [admin].
void App::Impl::bootstrap() {
  if (!password_dictionary_available())
    spdlog::warn(
        "daemon.no_password_dictionary (install cracklib-runtime; passwords are "
        "checked for length and username only)");
  auto count = users->count_with_role(store::Role::platform_admin);
  if (!count) throw std::runtime_error("store: " + count.error().message);
  if (config.demo.enabled)
    check_bootstrap_password("the demo user's password", kDemoUser, kDemoPassword);
  if (*count == 0) {
    if (config.admin.password.empty())
      throw std::runtime_error(fmt::format(
          "{}: admin.password is required on first start (no platform admin exists yet)",
          config_path));
    check_bootstrap_password("admin.password", config.admin.username, config.admin.password);
    auto created = users->create({.username = config.admin.username,
                                  .password_hash = hash_password(config.admin.password),
                                  .role = store::Role::platform_admin});
    if (!created)
      throw std::runtime_error("cannot create the platform admin: " + created.error().message);
    spdlog::info("daemon.admin_created user={}", config.admin.username);
  }
  if (config.demo.enabled) {
    if (auto seeded = seed_demo(*db, *users, clock, config); !seeded)
      throw std::runtime_error("demo seeding failed: " + seeded.error().message);
  }
  auto recovered = faxes->recover_interrupted(node_name(config));
  if (recovered && *recovered > 0) spdlog::warn("queue.recovered faxes={}", *recovered);
}

void App::Impl::start_telephony() {
  auto engine = fax::make_media_engine(config.media, config.t38);
  if (!engine) throw std::runtime_error("media: " + engine.error().message);
  media = std::move(*engine);
  inbound = std::make_unique<jobs::InboundFaxes>(
      *faxes, *ddis, *vfaxes, *carriers, *tenants, *spool,
      [this](std::function<void()> f) { post_work(std::move(f)); }, clock,
      jobs::InboundOptions{.ecm = config.t38.ecm,
                           .node_id = node_name(config),
                           .lease = std::chrono::seconds(config.cluster.lease_s)});
  inbound_counted = std::make_unique<InboundCallCounter>(fax_metrics, *inbound);
  sip = std::make_unique<sip::SipEngine>(io, *media, *inbound_counted, clock,
                                         sip::options_from_config(config));
  if (auto r = sip->start(); !r) throw std::runtime_error("sip: " + r.error().message);
  sip_up = true;
  dialer = std::make_unique<SipDialer>(*sip);
  header_dialer = std::make_unique<HeaderDialer>(
      *dialer, *spool, clock, [this](std::function<void()> f) { post_work(std::move(f)); },
      [this](std::function<void()> f) { asio::post(io, std::move(f)); });
  planner = std::make_unique<StoreRoutePlanner>(*carriers, *tenants, jobs::system_random());
  // Outbound calls at once: as many as the media ports allow (two even ports a call), leaving
  // half for inbound calls; carriers' max_calls limit each trunk below that.
  const int port_calls = (config.media.port_max - config.media.port_min + 1) / 4;
  jobs::QueueOptions qo{.node_id = node_name(config),
                        .max_concurrent = std::max(1, port_calls / 2),
                        .lease = std::chrono::seconds(config.cluster.lease_s),
                        .spool_dir = spool->root().string(),
                        .locate = [this](const std::string& d) { return spool->local(d); },
                        .ecm = config.t38.ecm,
                        .retry = retry_policy(config.retry)};
  queue = std::make_unique<jobs::OutboundQueue>(
      *faxes, *destinations, *planner, *header_dialer,
      [this](const store::Fax& f) {
        jobs::SenderIdentity who;
        if (f.virtual_fax_id)
          if (auto v = vfaxes->find_virtual_fax(*f.virtual_fax_id); v && *v)
            who = {.station_id = (*v)->station_id, .header = (*v)->header};
        // The header line's date is the company's: its zone and language.
        if (auto c = store::TenantRepo(*db, clock).find_company(f.company_id); c && *c) {
          who.timezone = (*c)->timezone;
          who.language = (*c)->language;
        }
        return who;
      },
      clock, qo);
  poll_queue();
  // Inbound calls only from carriers' addresses: refreshed as carriers change here, and often
  // enough in a cluster that a carrier added through another node is known within seconds.
  const auto refresh = db->backend() == store::Backend::postgresql ? 3s : 30s;
  sources_task = std::make_unique<mail::PeriodicTask>(
      io, [this](std::function<void()> f) { post_work(std::move(f)); }, refresh,
      [this] {
        auto addresses = carrier_source_addresses(*carriers);
        if (!addresses) return;
        asio::post(io, [this, a = std::move(*addresses)] {
          if (sip) sip->set_allowed_sources(a);
        });
      });
  sources_task->start();
  sources_task->wake();
  // The node's heartbeat: renew the claims of the faxes it receives, take over the faxes of a
  // node whose claims ran out (it died), and trim the document cache of a cluster.
  const auto lease = std::chrono::seconds(config.cluster.lease_s);
  cluster_task = std::make_unique<mail::PeriodicTask>(
      io, [this](std::function<void()> f) { post_work(std::move(f)); }, lease / 6,
      [this, lease] {
        const auto node = node_name(config);
        if (auto r = faxes->renew_receiving(node, clock.now() + lease); !r)
          spdlog::warn("cluster.renew_failed error={}", r.error().message);
        if (auto taken = faxes->take_over_expired(node); taken && *taken > 0) {
          spdlog::warn("cluster.took_over faxes={}", *taken);
          asio::post(io, [this] {
            if (queue && !stopping) queue->poll();
          });
        }
        if (clock.now() - cache_trimmed_at > std::chrono::hours(1)) {
          cache_trimmed_at = clock.now();
          if (const int n = spool->trim_cache(std::chrono::hours(24)); n > 0)
            spdlog::info("spool.cache_trimmed files={}", n);
        }
      });
  cluster_task->start();
}

// The queue runs on the control thread: once a second, at once when a fax is queued.
void App::Impl::poll_queue() {
  if (stopping) return;
  queue->poll();
  queue->renew_leases();
  queue_timer.expires_after(1s);
  queue_timer.async_wait([this](boost::system::error_code ec) {
    if (!ec) poll_queue();
  });
}

void App::Impl::wait_for_signals() {
  stop_signals.async_wait([this](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("daemon.stopping signal={} grace_s={}", sig, config.daemon.shutdown_grace_s);
    begin_shutdown();
  });
  wait_for_hup();
}

void App::Impl::wait_for_hup() {
  hup_signal.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    reload();
    wait_for_hup();
  });
}

// SIGHUP: a new snapshot of the file; only what can change live is applied.
void App::Impl::reload() {
  auto fresh = config::load(config_path);
  if (!fresh) {
    spdlog::error("daemon.reload_failed problems={}",
                  config::format_problems(config_path, fresh.error()));
    return;
  }
  if (auto r = set_log_level(fresh->log.level); !r)
    spdlog::error("daemon.reload_failed error={}", r.error().message);
  config.log = fresh->log;
  config.smtp = fresh->smtp;
  if (mailer) mailer->reconfigure(config.smtp);
  if (auto r = http->reload_tls(); !r)
    spdlog::error("daemon.reload_failed error={}", r.error().message);
  spdlog::info("daemon.reloaded level={}", config.log.level);
}

// SIGTERM: stop taking new work (HTTP, queue, inbound calls get 503 from the SIP engine once
// it shuts down), let running calls finish up to the grace period, then hang up what is left.
void App::Impl::begin_shutdown() {
  if (stopping) return;
  stopping = true;
  http->stop();
  if (smtp_server) smtp_server->stop();
  queue_timer.cancel();
  if (inbound) inbound->stop_accepting();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(config.daemon.shutdown_grace_s);
  poll_shutdown(deadline);
}

void App::Impl::poll_shutdown(std::chrono::steady_clock::time_point deadline) {
  const int active = sip ? sip->active_calls() : 0;
  if (active > 0 && std::chrono::steady_clock::now() < deadline) {
    shutdown_timer.expires_after(100ms);
    shutdown_timer.async_wait([this, deadline](boost::system::error_code ec) {
      if (!ec) poll_shutdown(deadline);
    });
    return;
  }
  if (active > 0) spdlog::warn("daemon.grace_expired calls={}", active);
  for (auto* task : {sources_task.get(), cluster_task.get(), outbox_task.get(), webhook_task.get(),
                     events_task.get(), purge_task.get(), csv_task.get()})
    if (task) task->stop();
  if (!sip) return io.stop();
  sip->shutdown([this] {
    sip_up = false;
    io.stop();
  });
}

App::App(config::Config config, std::string config_path) : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  impl_->config_path = std::move(config_path);
}

App::~App() = default;

int App::run() {
  auto& s = *impl_;
  if (!init_crypto()) throw std::runtime_error("libsodium failed to initialise");
  if (!mail::init_curl()) throw std::runtime_error("libcurl failed to initialise");
  mail::init_mime();
  s.open_store();
  s.bootstrap();
  s.start_telephony();
  s.start_mail_and_webhooks();
  s.start_http();
  s.start_mail_in();
  s.wait_for_signals();
  spdlog::info("daemon.started data_dir={} sip={} http={}", s.config.daemon.data_dir,
               s.config.sip.listen.to_string(), s.config.http.listen.to_string());
  s.io.run();
  s.workers.join();
  if (s.media) s.media->stop();
  spdlog::info("daemon.stopped");
  return 0;
}

}  // namespace faxd::app
