#include "faxd/mail_in/fax_from_mail.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "faxd/mail_in/auth_results.hpp"

namespace faxd::mail_in {

namespace {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  std::string out;
  for (unsigned char b : digest) out += fmt::format("{:02x}", b);
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

bool usable_message_id(std::string_view id) {
  if (id.empty() || id.size() > 250) return false;
  const auto at = id.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == id.size() ||
      id.find('@', at + 1) != std::string_view::npos)
    return false;
  for (unsigned char c : id)
    if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\') return false;
  return true;
}

FaxFromMail::FaxFromMail(store::VirtualFaxRepo& vfaxes, FaxSubmitter& submitter,
                         FaxFromMailOptions options)
    : vfaxes_(vfaxes), submitter_(submitter), options_(std::move(options)) {}

SmtpReply FaxFromMail::deliver(const ReceivedMail& m) {
  auto refuse = [&](int code, std::string text) {
    spdlog::info("mail_in.refused remote={} mail_from={} code={} reason=\"{}\"", m.remote,
                 m.mail_from, code, text);
    return SmtpReply{code, std::move(text)};
  };
  auto mail = read_mail(m.data);
  if (!mail) return refuse(550, "5.6.0 this is not a mail message");

  const auto verdict = judge_auth_results(mail->auth_results, options_.authserv_ids);
  if (verdict.refused)
    return refuse(
        550, fmt::format("5.7.1 {}: faxes are sent only from authenticated mail", verdict.reason));

  if (!mail->from)
    return refuse(550, "5.7.1 the mail has no single From address, so no sender to fax for");
  const auto sender = mail->from->address;
  auto candidates = vfaxes_.find_by_mail_sender(sender);
  if (!candidates) {
    spdlog::error("mail_in.store_failed error={}", candidates.error().message);
    return {451, "4.3.0 temporary failure, try again later"};
  }
  if (candidates->empty())
    return refuse(550, fmt::format("5.7.1 {} may not send faxes here (not in any virtual fax's "
                                   "mail senders)",
                                   sender));
  if (candidates->size() > 1)
    return refuse(550, fmt::format("5.7.1 {} is a mail sender of more than one virtual fax; ask "
                                   "your administrator to list it on one only",
                                   sender));

  MailFax request;
  request.vfax = std::move(candidates->front());
  if (!mail->other_attachments.empty() && mail->documents.empty())
    return refuse(550, fmt::format("5.6.1 no PDF or TIFF attachment to fax ({} cannot be faxed)",
                                   join(mail->other_attachments)));
  request.documents = std::move(mail->documents);
  if (request.documents.empty()) {
    if (blank(mail->text))
      return refuse(550, "5.6.1 nothing to fax: attach a PDF or TIFF, or write the text");
    request.text = mail->text;
  }
  for (const auto& rcpt : m.recipients) request.to.push_back(rcpt.substr(0, rcpt.rfind('@')));
  if (request.vfax.mail_cover) request.cover_subject = mail->subject;
  request.mail_from = sender;
  if (usable_message_id(mail->message_id)) request.message_id = mail->message_id;
  request.idempotency_key =
      "mail:" + (request.message_id.empty() ? "sha256:" + sha256_hex(m.data) : request.message_id);

  auto faxes = submitter_.submit(request);
  if (!faxes) {
    const auto& e = faxes.error();
    switch (e.code) {
      case Errc::invalid_argument:
        if (e.field == "to") return refuse(550, fmt::format("5.1.1 {}", e.message));
        if (e.field == "sender") return refuse(550, fmt::format("5.7.1 {}", e.message));
        return refuse(550, fmt::format("5.6.0 {}", e.message));
      case Errc::too_large:
        return refuse(552, fmt::format("5.3.4 {}", e.message));
      case Errc::io:
        return refuse(452, "4.3.1 no room to store the fax now, try again later");
      default:
        spdlog::error("mail_in.submit_failed mail_from={} error={}", sender, e.message);
        return refuse(451, "4.3.0 temporary failure, try again later");
    }
  }
  std::vector<std::string> ids;
  for (const auto& f : *faxes) ids.push_back(f.id);
  spdlog::info("mail_in.accepted remote={} from={} vfax={} faxes={} message_id={}", m.remote,
               sender, request.vfax.id, join(ids), request.message_id);
  return {250, fmt::format("2.0.0 queued as fax {}", join(ids))};
}

}  // namespace faxd::mail_in
