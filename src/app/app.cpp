#include "faxd/app/app.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>

#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>

#include "carrier_sources.hpp"
#include "demo_seed.hpp"
#include "fax_metrics.hpp"
#include "faxd/api/api.hpp"
#include "faxd/api/event_stream.hpp"
#include "faxd/api/faxes.hpp"
#include "faxd/api/notification_templates.hpp"
#include "faxd/api/webhooks.hpp"
#include "faxd/common/log.hpp"
#include "faxd/common/metrics.hpp"
#include "faxd/common/password_policy.hpp"
#include "faxd/common/secret_box.hpp"
#include "faxd/common/secrets.hpp"
#include "faxd/common/work_lane.hpp"
#include "faxd/fax/media_engine.hpp"
#include "faxd/http/router.hpp"
#include "faxd/http/server.hpp"
#include "faxd/jobs/inbound_faxes.hpp"
#include "faxd/jobs/outbound_queue.hpp"
#include "faxd/jobs/retention_purge.hpp"
#include "faxd/jobs/spool.hpp"
#include "faxd/mail/call_csv_mail.hpp"
#include "faxd/mail/mime.hpp"
#include "faxd/mail/outbox_worker.hpp"
#include "faxd/mail/periodic_task.hpp"
#include "faxd/mail/smtp_mailer.hpp"
#include "faxd/mail/webhook_transport.hpp"
#include "faxd/mail/webhook_worker.hpp"
#include "faxd/mail_in/fax_from_mail.hpp"
#include "faxd/mail_in/mail_fax_submitter.hpp"
#include "faxd/mail_in/smtp_server.hpp"
#include "faxd/sip/sip_engine.hpp"
#include "faxd/store/call_csv_schedule_repo.hpp"
#include "faxd/store/call_repo.hpp"
#include "faxd/store/carrier_repo.hpp"
#include "faxd/store/cover_template_repo.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/ddi_repo.hpp"
#include "faxd/store/destination_repo.hpp"
#include "faxd/store/document_repo.hpp"
#include "faxd/store/fax_repo.hpp"
#include "faxd/store/mail_outbox_repo.hpp"
#include "faxd/store/notification_template_repo.hpp"
#include "faxd/store/retention_repo.hpp"
#include "faxd/store/tenant_repo.hpp"
#include "faxd/store/user_repo.hpp"
#include "faxd/store/virtual_fax_repo.hpp"
#include "faxd/store/webhook_repo.hpp"
#include "faxd/web/assets.hpp"
#include "header_dialer.hpp"
#include "sip_dialer.hpp"
#include "store_route_planner.hpp"

namespace faxd::app {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {
// [cluster] node, else the host name.
std::string node_name(const config::Config& config) {
  if (!config.cluster.node.empty()) return config.cluster.node;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == 0) return "local";
  return host;
}

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

// Members are declared in construction order; destruction runs the other way, so everything is
// torn down before what it uses.
struct App::Impl {
  config::Config config;
  std::string config_path;
  SystemClock clock;
  asio::io_context io{1};
  asio::thread_pool workers{4};
  metrics::Registry metrics;
  FaxMetrics fax_metrics{metrics};  // outlives the fax repository that reports to it

  std::unique_ptr<SecretBox> secrets;  // seals carrier passwords and webhook secrets at rest
  std::unique_ptr<store::Db> db;
  std::unique_ptr<store::UserRepo> users;
  std::unique_ptr<store::TenantRepo> tenants;
  std::unique_ptr<store::FaxRepo> faxes;
  std::unique_ptr<store::DdiRepo> ddis;
  std::unique_ptr<store::CoverTemplateRepo> cover_templates;
  std::unique_ptr<store::VirtualFaxRepo> vfaxes;
  std::unique_ptr<store::CarrierRepo> carriers;
  std::unique_ptr<store::DestinationRepo> destinations;
  std::unique_ptr<store::MailOutboxRepo> outbox;
  std::unique_ptr<store::NotificationTemplateRepo> templates;
  std::unique_ptr<store::WebhookRepo> webhooks;
  std::unique_ptr<store::CallRepo> calls;
  std::unique_ptr<store::CallCsvScheduleRepo> csv_schedules;
  std::unique_ptr<store::RetentionRepo> retention;
  std::unique_ptr<store::DocumentRepo> documents;  // a cluster's shared documents
  std::unique_ptr<jobs::Spool> spool;

  std::unique_ptr<fax::ThreadedMediaEngine> media;
  std::unique_ptr<jobs::InboundFaxes> inbound;
  std::unique_ptr<InboundCallCounter> inbound_counted;
  std::unique_ptr<sip::SipEngine> sip;
  std::unique_ptr<SipDialer> dialer;
  std::unique_ptr<HeaderDialer> header_dialer;  // draws the page header, then dials
  std::unique_ptr<StoreRoutePlanner> planner;
  std::unique_ptr<jobs::OutboundQueue> queue;
  asio::steady_timer queue_timer{io};

  std::unique_ptr<mail::SmtpMailer> mailer;
  std::unique_ptr<mail::OutboxWorker> outbox_worker;
  std::unique_ptr<mail::WebhookTargets> webhook_targets;
  std::unique_ptr<mail::CurlWebhookTransport> webhook_transport;
  std::unique_ptr<mail::WebhookWorker> webhook_worker;
  std::unique_ptr<mail::PeriodicTask> outbox_task;
  std::unique_ptr<mail::PeriodicTask> webhook_task;
  std::unique_ptr<mail::PeriodicTask> sources_task;
  std::unique_ptr<jobs::RetentionPurge> purge;
  std::unique_ptr<mail::PeriodicTask> purge_task;
  std::unique_ptr<mail::PeriodicTask> csv_task;
  std::unique_ptr<mail::PeriodicTask> cluster_task;
  SysTime cache_trimmed_at{};

  http::Router router;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<api::FaxApiDeps> fax_api;
  std::unique_ptr<mail_in::MailFaxSubmitter> mail_submitter;  // [mail_in]: email-to-fax
  std::unique_ptr<mail_in::FaxFromMail> fax_from_mail;
  std::unique_ptr<mail_in::SmtpServer> smtp_server;
  std::unique_ptr<api::NotificationTemplateDeps> template_api;
  // Uploads are converted here, never on `workers` (destroyed before the handlers it runs).
  std::unique_ptr<WorkLane> conversions;
  std::unique_ptr<api::EventStreams> events;
  std::unique_ptr<mail::PeriodicTask> events_task;
  std::unique_ptr<http::Server> http;
  asio::signal_set stop_signals{io, SIGTERM, SIGINT};
  asio::signal_set hup_signal{io, SIGHUP};
  asio::steady_timer shutdown_timer{io};
  bool stopping = false;
  bool sip_up = false;

  void post_work(std::function<void()> f) { asio::post(workers, std::move(f)); }

  void open_store() {
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
      throw std::runtime_error(fmt::format("store {}: {}", store::StoreUrl::redact(url->target),
                                           opened.error().message));
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
      spdlog::info("daemon.secrets_sealed carriers={} webhooks={}", *sealed_carriers,
                   *sealed_hooks);
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
  void check_bootstrap_password(std::string_view what, std::string_view username,
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
  void bootstrap() {
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

  void start_telephony() {
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
  void poll_queue() {
    if (stopping) return;
    queue->poll();
    queue->renew_leases();
    queue_timer.expires_after(1s);
    queue_timer.async_wait([this](boost::system::error_code ec) {
      if (!ec) poll_queue();
    });
  }

  void start_mail_and_webhooks() {
    mailer = std::make_unique<mail::SmtpMailer>(config.smtp);
    outbox_worker = std::make_unique<mail::OutboxWorker>(
        *outbox, *templates, *mailer,
        [this](const std::string& fax_id) -> Result<std::string> {
          auto f = faxes->find(fax_id);
          if (!f) return std::unexpected(f.error());
          if (!*f || !(*f)->document) return fail(Errc::not_found, "the fax has no document");
          auto pdf = spool->ensure_pdf(*(*f)->document);
          if (!pdf) return std::unexpected(pdf.error());
          return pdf->string();
        },
        clock);
    outbox_task = std::make_unique<mail::PeriodicTask>(
        io, [this](std::function<void()> f) { post_work(std::move(f)); }, 5s,
        [this] { outbox_worker->tick(); });
    outbox_worker->add_composer("call_csv", mail::call_csv_composer(*csv_schedules, *calls));
    outbox_task->start();
    start_accounting();
    webhook_targets =
        std::make_unique<mail::WebhookTargets>(AddressSet(config.webhooks.allow_internal));
    webhook_transport = std::make_unique<mail::CurlWebhookTransport>(*webhook_targets);
    webhook_worker = std::make_unique<mail::WebhookWorker>(*webhooks, *webhook_transport, clock);
    webhook_task = std::make_unique<mail::PeriodicTask>(
        io, [this](std::function<void()> f) { post_work(std::move(f)); }, 2s,
        [this] { webhook_worker->tick(); });
    webhook_task->start();
  }

  // Issue #19: the retention purge (documents past their company's retention_days) and the
  // scheduled call CSVs (queued into the outbox at each period's end).
  void start_accounting() {
    purge = std::make_unique<jobs::RetentionPurge>(*retention, *spool, clock);
    purge_task = std::make_unique<mail::PeriodicTask>(
        io, [this](std::function<void()> f) { post_work(std::move(f)); }, 10s,
        [this] { purge->run_once(); });
    purge_task->start();
    csv_task = std::make_unique<mail::PeriodicTask>(
        io, [this](std::function<void()> f) { post_work(std::move(f)); }, 60s,
        [this] {
          auto queued = csv_schedules->run_due(clock.now());
          if (!queued)
            spdlog::warn("calls_csv.schedule_failed error={}", queued.error().message);
          else if (*queued > 0 && outbox_task)
            outbox_task->wake();
        });
    csv_task->start();
    csv_task->wake();
  }

  void start_http() {
    api = std::make_unique<api::Api>(
        api::Context{.db = *db,
                     .clock = clock,
                     .config = config,
                     .users = *users,
                     .healthy = [this] { return sip_up && !stopping; },
                     .carriers_changed =
                         [this] {
                           if (sources_task) sources_task->wake();
                         },
                     .run_blocking = [this](std::function<void()> f) { post_work(std::move(f)); },
                     .secrets = secrets.get()});
    api->add_routes(router);
    fax_api = std::make_unique<api::FaxApiDeps>(api::FaxApiDeps{
        .db = *db,
        .clock = clock,
        .faxes = *faxes,
        .vfaxes = *vfaxes,
        .ddis = *ddis,
        .spool = *spool,
        .max_upload_bytes = config.http.max_upload_bytes,
        .convert = {.max_bytes = config.http.max_upload_bytes,
                    .timeout = std::chrono::seconds(config.conversion.timeout_s),
                    .page_timeout = std::chrono::seconds(config.conversion.page_timeout_s)},
        .wake_queue =
            [this] {
              asio::post(io, [this] {
                if (queue && !stopping) queue->poll();
              });
            },
        .hang_up =
            [this](const std::string& id) {
              asio::post(io, [this, id] {
                if (queue) queue->cancel(id);
              });
            }});
    conversions =
        std::make_unique<WorkLane>(WorkLaneOptions{.workers = config.conversion.workers,
                                                   .queue = config.conversion.queue,
                                                   .per_key = config.conversion.per_tenant});
    fax_api->conversions = conversions.get();
    api::add_fax_routes(router, *api, *fax_api);
    api::add_webhook_routes(router, *api, *webhooks, clock, *webhook_targets);
    template_api = std::make_unique<api::NotificationTemplateDeps>(
        api::NotificationTemplateDeps{.db = *db, .clock = clock, .mailer = *mailer});
    api::add_notification_template_routes(router, *api, *template_api);
    events = std::make_unique<api::EventStreams>(
        *db, clock, 1000, static_cast<std::size_t>(config.http.max_event_streams_per_user));
    events->add_routes(router, *api);
    events_task = std::make_unique<mail::PeriodicTask>(
        io, [this](std::function<void()> f) { post_work(std::move(f)); }, 500ms,
        [this] { events->pump(); });
    events_task->start();
    web::add_routes(router);
    router.add("GET", "/metrics", [this](const http::Request&, const http::Params&) {
      return http::Response::text(200, metrics.render(),
                                  "text/plain; version=0.0.4; charset=utf-8");
    });
    http::ServerOptions options{
        .listen = config.http.listen,
        .first_byte_timeout = std::chrono::seconds(config.http.first_byte_timeout_s),
        .max_connections = config.http.max_connections,
        .max_connections_per_address = config.http.max_connections_per_address,
        .trusted_proxies = config.http.trusted_proxies,
        .tls_cert = config.http.tls_cert,
        .tls_key = config.http.tls_key};
    http = std::make_unique<http::Server>(
        io, options, router, [this](std::function<void()> f) { post_work(std::move(f)); });
    register_metrics();
    if (auto r = http->start(); !r) throw std::runtime_error(r.error().message);
    spdlog::info("http.listening addr={} port={}", config.http.listen.host, http->port());
  }

  // [mail_in]: the SMTP listener an MTA relays fax mails to; each becomes faxes as POST /faxes
  // makes them.
  void start_mail_in() {
    if (!config.mail_in.enabled) return;
    mail_submitter = std::make_unique<mail_in::MailFaxSubmitter>(mail_in::MailFaxSubmitterDeps{
        .clock = clock,
        .faxes = *faxes,
        .tenants = *tenants,
        .cover_templates = *cover_templates,
        .spool = *spool,
        .convert = {.max_bytes = static_cast<std::uint64_t>(config.mail_in.max_message_mb) << 20},
        .wake_queue = fax_api->wake_queue});
    fax_from_mail = std::make_unique<mail_in::FaxFromMail>(
        *vfaxes, *mail_submitter,
        mail_in::FaxFromMailOptions{.authserv_ids = config.mail_in.authserv_ids});
    smtp_server = std::make_unique<mail_in::SmtpServer>(
        io, mail_in::server_options(config.mail_in, node_name(config)), *fax_from_mail,
        // Mails convert documents: on the conversion lane as uploads do, never on the workers
        // that answer HTTP and SIP, all mail under one share so relays cannot crowd out uploads.
        [this](std::function<void()> f) {
          return conversions->submit("mail_in", std::move(f)) == WorkLane::Admission::accepted;
        });
    if (auto r = smtp_server->start(); !r)
      throw std::runtime_error("mail_in: " + r.error().message);
    spdlog::info("mail_in.listening addr={} port={}", config.mail_in.listen.host,
                 smtp_server->port());
    metrics.counter_callback("faxd_mail_in_refused_connections_total",
                             "SMTP connections refused: untrusted relay or over the limit", [this] {
                               return static_cast<double>(smtp_server->refused_connections());
                             });
  }

  void register_metrics() {
    auto& requests =
        metrics.counter("faxd_http_requests_total", "HTTP requests answered", {"route", "status"});
    auto& latency = metrics.histogram("faxd_http_request_duration_seconds",
                                      "Time from the end of the request to the response",
                                      {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5}, {"route"});
    http->set_observer([this, &requests, &latency](const http::Request& req, int status,
                                                   std::chrono::microseconds took) {
      const auto route = router.route_label(req.method, req.path);
      requests.with({route, std::to_string(status)}).inc();
      latency.with({route}).observe(static_cast<double>(took.count()) / 1e6);
    });
    metrics.gauge_callback("faxd_event_streams", "Open SSE event streams", [this] {
      return events ? static_cast<double>(events->subscribers()) : 0.0;
    });
    metrics.gauge_callback("faxd_conversions_running", "Document conversions running", [this] {
      return conversions ? static_cast<double>(conversions->running()) : 0.0;
    });
    metrics.gauge_callback("faxd_conversions_waiting", "Document conversions waiting", [this] {
      return conversions ? static_cast<double>(conversions->waiting()) : 0.0;
    });
    metrics.gauge_callback("faxd_http_connections", "Open HTTP connections",
                           [this] { return static_cast<double>(http->open_connections()); });
    metrics.gauge_callback("faxd_fax_sessions_active", "Fax sessions on the media thread", [this] {
      return media ? static_cast<double>(media->active_sessions()) : 0.0;
    });
    metrics.gauge_callback("faxd_outbound_calls_active", "Outbound fax calls in progress", [this] {
      return queue ? static_cast<double>(queue->active_calls()) : 0.0;
    });
    metrics.gauge_callback("faxd_queue_depth", "Faxes queued for sending", [this] {
      auto n = faxes->count_with_status(store::FaxStatus::queued);
      return n ? static_cast<double>(*n) : 0.0;
    });
    metrics.gauge_callback("faxd_mail_outbox_depth", "Mails waiting for the SMTP server", [this] {
      auto n = outbox->count_pending();
      return n ? static_cast<double>(*n) : 0.0;
    });
    metrics.counter_callback("faxd_sip_refused_sources_total",
                             "INVITEs refused with 403: source not a carrier of any brand", [this] {
                               return sip ? static_cast<double>(sip->refused_sources()) : 0.0;
                             });
    metrics.gauge_callback("faxd_tick_jitter_p50_seconds", "Media tick lateness, median", [this] {
      return media ? media->tick_stats().jitter_p50_us / 1e6 : 0.0;
    });
    metrics.gauge_callback(
        "faxd_tick_jitter_p99_seconds", "Media tick lateness, 99th percentile",
        [this] { return media ? media->tick_stats().jitter_p99_us / 1e6 : 0.0; });
  }

  void wait_for_signals() {
    stop_signals.async_wait([this](boost::system::error_code ec, int sig) {
      if (ec) return;
      spdlog::info("daemon.stopping signal={} grace_s={}", sig, config.daemon.shutdown_grace_s);
      begin_shutdown();
    });
    wait_for_hup();
  }
  void wait_for_hup() {
    hup_signal.async_wait([this](boost::system::error_code ec, int) {
      if (ec) return;
      reload();
      wait_for_hup();
    });
  }

  // SIGHUP: a new snapshot of the file; only what can change live is applied.
  void reload() {
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
  void begin_shutdown() {
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

  void poll_shutdown(std::chrono::steady_clock::time_point deadline) {
    const int active = sip ? sip->active_calls() : 0;
    if (active > 0 && std::chrono::steady_clock::now() < deadline) {
      shutdown_timer.expires_after(100ms);
      shutdown_timer.async_wait([this, deadline](boost::system::error_code ec) {
        if (!ec) poll_shutdown(deadline);
      });
      return;
    }
    if (active > 0) spdlog::warn("daemon.grace_expired calls={}", active);
    for (auto* task : {sources_task.get(), cluster_task.get(), outbox_task.get(),
                       webhook_task.get(), events_task.get(), purge_task.get(), csv_task.get()})
      if (task) task->stop();
    if (!sip) return io.stop();
    sip->shutdown([this] {
      sip_up = false;
      io.stop();
    });
  }
};

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
