// The daemon's services beside telephony: HTTP (REST API, web UI, events), fax mails and
// webhooks, email-to-fax, accounting tasks and the metrics they report.
#include "app_impl.hpp"

namespace faxd::app {

void App::Impl::start_mail_and_webhooks() {
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
void App::Impl::start_accounting() {
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

void App::Impl::start_http() {
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
    return http::Response::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
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
  if (auto converter = document::converter_path(); !converter)
    spdlog::error(
        "document.converter_missing: faxd-render is not beside the faxd binary; every "
        "upload will be refused with \"{}\"",
        converter.error().message);
}

// [mail_in]: the SMTP listener an MTA relays fax mails to; each becomes faxes as POST /faxes
// makes them.
void App::Impl::start_mail_in() {
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
  if (auto r = smtp_server->start(); !r) throw std::runtime_error("mail_in: " + r.error().message);
  spdlog::info("mail_in.listening addr={} port={}", config.mail_in.listen.host,
               smtp_server->port());
  metrics.counter_callback("faxd_mail_in_refused_connections_total",
                           "SMTP connections refused: untrusted relay or over the limit", [this] {
                             return static_cast<double>(smtp_server->refused_connections());
                           });
}

void App::Impl::register_metrics() {
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
  metrics.gauge_callback("faxd_tick_jitter_p50_seconds", "Media tick lateness, median",
                         [this] { return media ? media->tick_stats().jitter_p50_us / 1e6 : 0.0; });
  metrics.gauge_callback("faxd_tick_jitter_p99_seconds", "Media tick lateness, 99th percentile",
                         [this] { return media ? media->tick_stats().jitter_p99_us / 1e6 : 0.0; });
}

}  // namespace faxd::app
