#pragma once
// The daemon's parts and how they start and stop (App::Impl), shared by app.cpp (store,
// telephony, signals, shutdown) and app_services.cpp (HTTP, mail, email-to-fax, accounting,
// metrics). Private to src/app.
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
#include "faxd/document/document.hpp"
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

// [cluster] node, else the host name.
std::string node_name(const config::Config& config);

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

  void open_store();
  // A bootstrap password that fails the password policy (the demo's "admin" and "demo") is
  // taken only while nobody but this machine can reach the web UI.
  void check_bootstrap_password(std::string_view what, std::string_view username,
                                std::string_view password);
  // First start: the store has no platform admin yet, so create it from [admin].
  void bootstrap();
  void start_telephony();
  // The queue runs on the control thread: once a second, at once when a fax is queued.
  void poll_queue();
  void start_mail_and_webhooks();
  // Issue #19: the retention purge (documents past their company's retention_days) and the
  // scheduled call CSVs (queued into the outbox at each period's end).
  void start_accounting();
  void start_http();
  // [mail_in]: the SMTP listener an MTA relays fax mails to; each becomes faxes as POST /faxes
  // makes them.
  void start_mail_in();
  void register_metrics();
  void wait_for_signals();
  void wait_for_hup();
  // SIGHUP: a new snapshot of the file; only what can change live is applied.
  void reload();
  // SIGTERM: stop taking new work (HTTP, queue, inbound calls get 503 from the SIP engine once
  // it shuts down), let running calls finish up to the grace period, then hang up what is left.
  void begin_shutdown();
  void poll_shutdown(std::chrono::steady_clock::time_point deadline);
};

}  // namespace faxd::app
