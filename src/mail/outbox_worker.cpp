#include "faxd/mail/outbox_worker.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "faxd/mail/fax_mail_template.hpp"
#include "faxd/mail/mime.hpp"
#include "faxd/mail/template_choice.hpp"

namespace faxd::mail {

namespace {

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(Errc::io, fmt::format("cannot read the fax PDF {}: {}", path, ec.message()));
  if (size > max_bytes)
    return fail(Errc::invalid_argument,
                fmt::format("the fax PDF is too large to mail ({} bytes)", size));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  if (!in) return fail(Errc::io, fmt::format("cannot read the fax PDF {}", path));
  return std::move(out).str();
}

}  // namespace

OutboxWorker::OutboxWorker(store::MailOutboxRepo& repo, store::NotificationTemplateRepo& templates,
                           Mailer& mailer, PdfPathFn pdf_path, const Clock& clock,
                           OutboxOptions options)
    : repo_(repo),
      templates_(templates),
      mailer_(mailer),
      pdf_path_(std::move(pdf_path)),
      clock_(clock),
      options_(options) {}

void OutboxWorker::add_composer(std::string kind, MailComposer composer) {
  composers_[std::move(kind)] = std::move(composer);
}

Result<std::string> OutboxWorker::compose(const store::OutboxMail& m, SysTime now) {
  if (auto it = composers_.find(m.kind); it != composers_.end()) {
    auto msg = it->second(m, now);
    if (!msg) return std::unexpected(msg.error());
    auto from = parse_mailbox(mailer_.sender());
    if (!from) return fail(Errc::io, "[smtp] from: " + from.error().message);
    auto to = address_spec(m.to_address);
    if (!to) return std::unexpected(to.error());
    msg->from = std::move(*from);
    msg->to = {{"", std::move(*to)}};
    msg->date = now;
    msg->message_id = fmt::format("{}.faxd@{}", m.id, address_domain(msg->from.address));
    return build_mime(*msg);
  }
  MailKind kind{};
  if (!parse_mail_kind(m.kind, &kind))
    return fail(Errc::invalid_argument, fmt::format("unknown mail kind {}", m.kind));
  if (!m.fax_id) return fail(Errc::invalid_argument, "the fax was deleted");
  auto ctx = repo_.fax_context(*m.fax_id);
  if (!ctx) return std::unexpected(ctx.error());
  if (!*ctx) return fail(Errc::invalid_argument, "the fax was deleted");
  const auto& fax = **ctx;

  auto stored = templates_.for_mail(fax.brand_id, fax.company_id, m.kind);
  if (!stored) return std::unexpected(stored.error());
  const auto chosen =
      choose_template(*stored, kind, fax.company_id, fax.language, fax.brand_language);

  FaxMailFields fields;
  fields.fax_name = fax.virtual_fax_name;
  fields.pages = fax.pages;
  fields.from = fax.from_number.empty() ? fax.remote_station_id : fax.from_number;
  fields.to = fax.to_number;
  fields.date = parse_rfc3339(fax.completed_at.value_or(fax.created_at)).value_or(now);
  fields.timezone = fax.timezone;
  fields.language = chosen.language;
  fields.company = fax.company_name;
  fields.brand = fax.brand_name;
  if (fax.failure_message && !fax.failure_message->empty())
    fields.failure = *fax.failure_message;
  else
    fields.failure = fax.failure_code.value_or("");
  fields.pdf_name = attachment_filename(fields.date, fields.timezone, fields.from);

  auto smtp_from = parse_mailbox(mailer_.sender());
  if (!smtp_from) return fail(Errc::io, "[smtp] from: " + smtp_from.error().message);
  auto msg = fax_mail_message(chosen.tmpl, fields, *smtp_from, m.to_address);
  msg.date = now;
  // Stable across retries: a rare duplicate (crash after the server's 250) carries the same id.
  msg.message_id = fmt::format("{}.faxd@{}", m.id, address_domain(msg.from.address));
  // The result of a fax sent by mail answers that mail, so it shows in the same thread.
  if (fax.mail_message_id && kind != MailKind::fax_received) msg.in_reply_to = *fax.mail_message_id;
  if (kind == MailKind::fax_received) {
    auto path = pdf_path_(*m.fax_id);
    if (!path) return std::unexpected(path.error());
    auto pdf = read_file(*path, options_.max_attachment_bytes);
    if (!pdf) return std::unexpected(pdf.error());
    msg.attachments.push_back({fields.pdf_name, "application/pdf", std::move(*pdf)});
  }
  return build_mime(msg);
}

OutboxRun OutboxWorker::run_once(SysTime now) {
  OutboxRun run;
  if (!mailer_.enabled()) return run;
  auto claimed = repo_.claim_due(now, options_.lease, options_.batch);
  if (!claimed) {
    spdlog::warn("mail.claim_failed error={}", claimed.error().message);
    return run;
  }
  for (const auto& m : *claimed) {
    const auto fax = m.fax_id.value_or("-");
    auto give_up = [&](std::string_view why) {
      spdlog::error("mail.failed mail={} fax={} kind={} to={} attempts={} error={}", m.id, fax,
                    m.kind, m.to_address, m.attempts, why);
      if (auto r = repo_.mark_failed(m.id, why, now); !r)
        spdlog::warn("mail.mark_failed_error mail={} error={}", m.id, r.error().message);
      ++run.failed;
    };
    const auto queued_at = parse_rfc3339(m.created_at).value_or(now);
    if (gives_up(options_.retry, queued_at, now)) {
      give_up(
          fmt::format("gave up after {} attempts: {}", m.attempts - 1, m.last_error.value_or("")));
      continue;
    }
    Result<void> sent;
    auto message = compose(m, now);
    if (!message) {
      sent = std::unexpected(message.error());
    } else {
      auto from = address_spec(mailer_.sender());
      auto to = address_spec(m.to_address);
      if (!from)
        sent = std::unexpected(Error{Errc::io, "[smtp] from: " + from.error().message});
      else if (!to)
        sent = std::unexpected(to.error());
      else
        sent = mailer_.send({*from, *to}, *message);
    }
    if (sent) {
      // Mark at once: the window for a duplicate is this one statement.
      if (auto r = repo_.mark_sent(m.id, now); !r)
        spdlog::error("mail.mark_sent_failed mail={} error={}", m.id, r.error().message);
      spdlog::info("mail.sent mail={} fax={} kind={} to={} attempts={}", m.id, fax, m.kind,
                   m.to_address, m.attempts);
      ++run.sent;
      continue;
    }
    if (sent.error().code == Errc::invalid_argument) {
      give_up(sent.error().message);
      continue;
    }
    const auto next = now + retry_delay(options_.retry, m.attempts);
    spdlog::warn("mail.retry mail={} fax={} kind={} to={} attempts={} next={} error={}", m.id, fax,
                 m.kind, m.to_address, m.attempts, format_rfc3339(next), sent.error().message);
    if (auto r = repo_.reschedule(m.id, next, sent.error().message, now); !r)
      spdlog::warn("mail.reschedule_failed mail={} error={}", m.id, r.error().message);
    ++run.retried;
  }
  return run;
}

}  // namespace faxd::mail
