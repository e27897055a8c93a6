#include "faxd/mail_in/mail_fax_submitter.hpp"

#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "faxd/document/render.hpp"
#include "faxd/jobs/fax_cover.hpp"

namespace faxd::mail_in {

namespace fs = std::filesystem;

namespace {

// Temporary files of one submission, removed whatever happens.
struct Temps {
  std::vector<fs::path> paths;
  ~Temps() {
    std::error_code ec;
    for (const auto& p : paths) fs::remove(p, ec);
  }
};

bool write_file(const fs::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  return static_cast<bool>(out);
}

// A conversion problem as FaxFromMail answers it: the document named, refused for good unless
// the trouble is ours (disk, a bug).
Error document_error(const Error& e, const std::string& name) {
  switch (e.code) {
    case Errc::too_large:
      return {Errc::too_large, name.empty() ? e.message : name + ": " + e.message, "file"};
    case Errc::io:
      return {Errc::io, e.message, "file"};
    case Errc::internal:
    case Errc::store:
      return e;
    default:  // invalid, unsupported, a conversion that timed out: the document is at fault
      return {Errc::invalid_argument,
              name.empty() ? e.message : name + " cannot be faxed: " + e.message, "file"};
  }
}

}  // namespace

Result<std::vector<store::Fax>> MailFaxSubmitter::submit(const MailFax& r) {
  // What POST /faxes checks (store::SendingContext): the tenant switched on, a caller id.
  auto sender = d_.tenants.sending_context(r.vfax.id);
  if (!sender) return std::unexpected(sender.error());
  if (!*sender) return std::unexpected(Error{Errc::not_found, "the virtual fax is gone"});
  if (auto refused = (*sender)->refusal())
    return std::unexpected(Error{
        Errc::invalid_argument,
        refused->tenant_disabled ? refused->message : r.vfax.name + " has " + refused->message,
        "sender"});
  std::vector<std::string> numbers;
  for (const auto& to : r.to) {
    auto n = mail_number(to, (*sender)->tenant.country);
    if (!n) return std::unexpected(n.error());
    if (std::find(numbers.begin(), numbers.end(), *n) == numbers.end())
      numbers.push_back(std::move(*n));
  }
  if (numbers.empty())
    return std::unexpected(Error{Errc::invalid_argument, "no fax number to send to", "to"});

  // A relay sending the same message again gets the first faxes, without converting again.
  auto key_for = [&](const std::string& number) { return r.idempotency_key + " " + number; };
  {
    std::vector<store::Fax> earlier;
    for (const auto& n : numbers) {
      auto f = d_.faxes.find_by_mail_key(r.vfax.id, key_for(n));
      if (!f) return std::unexpected(f.error());
      if (*f) earlier.push_back(std::move(**f));
    }
    if (earlier.size() == numbers.size()) return earlier;
  }

  const std::string from = (*sender)->caller_id;

  // The documents (or the text) converted once.
  const auto quality = document::Quality::fine;
  Temps temps;
  std::vector<std::string> inputs;
  std::vector<std::string> names;
  for (const auto& doc : r.documents) {
    const auto path = d_.spool.new_temp(d_.clock.now(), ".mail");
    temps.paths.push_back(path);
    if (!write_file(path, doc.data))
      return std::unexpected(Error{Errc::io, "cannot store the attachment", "file"});
    inputs.push_back(path.string());
    names.push_back(doc.filename);
  }
  if (inputs.empty()) {
    auto pages = document::render_text_pages(r.text, {.quality = quality});
    if (!pages) return std::unexpected(document_error(pages.error(), "the mail's text"));
    const auto path = d_.spool.new_temp(d_.clock.now(), ".tif");
    temps.paths.push_back(path);
    if (auto w = document::write_fax_tiff(*pages, path.string()); !w)
      return std::unexpected(document_error(w.error(), ""));
    inputs.push_back(path.string());
    names.push_back("");
  }
  const auto body = d_.spool.new_temp(d_.clock.now(), ".tif");
  temps.paths.push_back(body);
  auto info = document::convert_to_fax_tiff(inputs, body.string(), quality, d_.convert);
  if (!info)
    return std::unexpected(document_error(info.error(), names.size() == 1 ? names[0] : ""));

  // The cover POST /faxes draws: the company's template around the mail's subject.
  std::optional<jobs::CoverContext> cover;
  if (r.cover_subject) {
    auto c =
        jobs::cover_context(d_.tenants, d_.cover_templates, r.vfax, from,
                            {.subject = *r.cover_subject}, d_.clock.now(), body.string(), quality);
    if (!c) return std::unexpected(document_error(c.error(), "the cover page"));
    cover = std::move(*c);
  }

  std::vector<store::Fax> out;
  for (const auto& number : numbers) {
    const std::string doc = d_.spool.new_document("outbound", d_.clock.now());
    int pages = info->pages;
    if (cover) {  // one cover page per number: it names the number
      auto joined = jobs::write_with_cover(d_.spool, d_.clock.now(), *cover, number, info->pages,
                                           body.string(), d_.spool.path(doc).string());
      if (!joined) return std::unexpected(document_error(joined.error(), "the cover page"));
      pages = joined->pages;
    } else {
      std::error_code ec;
      fs::copy_file(body, d_.spool.path(doc), fs::copy_options::overwrite_existing, ec);
      if (ec) return std::unexpected(Error{Errc::io, "cannot store the fax: " + ec.message()});
    }
    if (auto published = d_.spool.publish(doc); !published) {
      d_.spool.remove(doc);
      return std::unexpected(published.error());
    }
    auto created = d_.faxes.create_outbound(
        {.brand_id = r.vfax.brand_id,
         .company_id = r.vfax.company_id,
         .virtual_fax_id = r.vfax.id,
         .created_by = std::nullopt,
         .from_number = from,
         .to_number = number,
         .pages_total = pages,
         .quality = std::string(document::to_string(quality)),
         .header = r.vfax.header,
         .idempotency_key = key_for(number),
         .document = doc,
         .mail_from = r.mail_from,
         .mail_message_id = r.message_id.empty() ? std::nullopt : std::optional(r.message_id)});
    if (!created || !created->second) d_.spool.remove(doc);
    if (!created) return std::unexpected(created.error());
    spdlog::info("mail_in.fax_queued fax={} to={} pages={} mail_from={}", created->first.id, number,
                 pages, r.mail_from);
    out.push_back(std::move(created->first));
  }
  if (d_.wake_queue) d_.wake_queue();
  return out;
}

}  // namespace faxd::mail_in
