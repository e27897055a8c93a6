#include "faxd/mail/mime.hpp"

#include <mutex>

#include <fmt/format.h>

#include "gmime_ptr.hpp"

namespace faxd::mail {

using detail::adopt;
using detail::GPtr;

namespace {

bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// Text content in UTF-8 as it is (GMime's set_text would pick a legacy charset), encoded
// quoted-printable or base64, whichever 7-bit encoding suits it.
GPtr<GMimeTextPart> text_part(const char* subtype, std::string_view utf8) {
  auto part = adopt(g_mime_text_part_new_with_subtype(subtype));
  auto stream = adopt(g_mime_stream_mem_new_with_buffer(utf8.data(), utf8.size()));
  auto content =
      adopt(g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(GMIME_PART(part.get()), content.get());
  g_mime_object_set_content_type_parameter(GMIME_OBJECT(part.get()), "charset", "utf-8");
  g_mime_part_set_content_encoding(GMIME_PART(part.get()),
                                   g_mime_part_get_best_content_encoding(
                                       GMIME_PART(part.get()), GMIME_ENCODING_CONSTRAINT_7BIT));
  return part;
}

// Sets a parameter's charset to UTF-8 (GMime would pick ISO-8859-1 where it fits).
void utf8_param(GMimeParamList* list, const char* name) {
  if (list == nullptr) return;
  if (auto* p = g_mime_param_list_get_parameter(list, name)) g_mime_param_set_charset(p, "UTF-8");
}

Result<GPtr<GMimePart>> attachment_part(const Attachment& a) {
  const auto slash = a.content_type.find('/');
  if (slash == std::string::npos || has_line_break(a.content_type) ||
      a.content_type.find_first_of(" ;") != std::string::npos)
    return fail(Errc::invalid_argument, "malformed content type");
  if (has_line_break(a.filename)) return fail(Errc::invalid_argument, "malformed file name");
  const auto type = a.content_type.substr(0, slash);
  const auto subtype = a.content_type.substr(slash + 1);
  auto part = adopt(g_mime_part_new_with_type(type.c_str(), subtype.c_str()));
  auto stream = adopt(g_mime_stream_mem_new_with_buffer(a.data.data(), a.data.size()));
  auto content =
      adopt(g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part.get(), content.get());
  g_mime_part_set_filename(part.get(), a.filename.c_str());  // disposition attachment + name
  g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
  auto* object = GMIME_OBJECT(part.get());
  if (auto* disposition = g_mime_object_get_content_disposition(object))
    utf8_param(g_mime_content_disposition_get_parameters(disposition), "filename");
  if (auto* ct = g_mime_object_get_content_type(object))
    utf8_param(g_mime_content_type_get_parameters(ct), "name");
  return part;
}

Result<void> add_mailbox(InternetAddressList* list, const Mailbox& m) {
  if (has_line_break(m.name))
    return fail(Errc::invalid_argument, "a name must not contain line breaks");
  auto spec = address_spec(m.address);
  if (!spec) return std::unexpected(spec.error());
  auto address =
      adopt(internet_address_mailbox_new(m.name.empty() ? nullptr : m.name.c_str(), spec->c_str()));
  internet_address_set_charset(address.get(), "UTF-8");
  internet_address_list_add(list, address.get());
  return {};
}

bool valid_message_id(std::string_view id) {
  return !id.empty() && id.find_first_of(std::string_view("\r\n<> \t\0", 7)) == std::string::npos &&
         id.find('@') != std::string_view::npos;
}

}  // namespace

void init_mime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

Result<std::string> address_spec(std::string_view address) {
  if (has_line_break(address))
    return fail(Errc::invalid_argument, "an e-mail address must not contain line breaks");
  auto spec = address;
  if (const auto lt = address.find('<'); lt != std::string_view::npos) {
    const auto gt = address.find('>', lt);
    if (gt == std::string_view::npos || gt + 1 != address.size())
      return fail(Errc::invalid_argument, fmt::format("malformed e-mail address: {}", address));
    spec = address.substr(lt + 1, gt - lt - 1);
  }
  while (!spec.empty() && spec.front() == ' ') spec.remove_prefix(1);
  while (!spec.empty() && spec.back() == ' ') spec.remove_suffix(1);
  const auto at = spec.rfind('@');
  bool ok = at != std::string_view::npos && at > 0 && at + 1 < spec.size() && spec.size() <= 254;
  for (unsigned char c : spec)
    if (c <= ' ' || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == 0x7f)
      ok = false;
  if (!ok) return fail(Errc::invalid_argument, fmt::format("not an e-mail address: {}", address));
  return std::string(spec);
}

std::string address_domain(std::string_view address) {
  auto spec = address_spec(address);
  if (!spec) return "localhost";
  return spec->substr(spec->rfind('@') + 1);
}

Result<Mailbox> parse_mailbox(std::string_view text) {
  if (has_line_break(text))
    return fail(Errc::invalid_argument, "an e-mail address must not contain line breaks");
  init_mime();
  const std::string copy(text);
  auto list = adopt(internet_address_list_parse(nullptr, copy.c_str()));
  if (!list || internet_address_list_length(list.get()) != 1)
    return fail(Errc::invalid_argument, fmt::format("not one e-mail address: {}", text));
  auto* address = internet_address_list_get_address(list.get(), 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX(address))
    return fail(Errc::invalid_argument, fmt::format("not an e-mail address: {}", text));
  const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
  auto spec = address_spec(addr ? addr : "");
  if (!spec) return std::unexpected(spec.error());
  const char* name = internet_address_get_name(address);
  return Mailbox{name ? name : "", *spec};
}

Result<std::string> build_mime(const MailMessage& m) {
  init_mime();
  if (!valid_message_id(m.message_id)) return fail(Errc::invalid_argument, "malformed Message-ID");
  if (!m.in_reply_to.empty() && !valid_message_id(m.in_reply_to))
    return fail(Errc::invalid_argument, "malformed In-Reply-To");
  if (m.to.empty()) return fail(Errc::invalid_argument, "a mail needs a recipient");

  auto message = adopt(g_mime_message_new(TRUE));
  auto* object = GMIME_OBJECT(message.get());
  if (auto r = add_mailbox(g_mime_message_get_from(message.get()), m.from); !r)
    return std::unexpected(r.error());
  for (const auto& to : m.to)
    if (auto r = add_mailbox(g_mime_message_get_to(message.get()), to); !r)
      return std::unexpected(r.error());
  g_mime_message_set_subject(message.get(), m.subject.c_str(), "UTF-8");
  const auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(m.date.time_since_epoch()).count();
  GDateTime* date = g_date_time_new_from_unix_utc(secs);
  g_mime_message_set_date(message.get(), date);
  g_date_time_unref(date);
  g_mime_message_set_message_id(message.get(), m.message_id.c_str());
  if (!m.in_reply_to.empty()) {
    const auto ref = "<" + m.in_reply_to + ">";
    g_mime_object_set_header(object, "In-Reply-To", ref.c_str(), nullptr);
    g_mime_object_set_header(object, "References", ref.c_str(), nullptr);
  }
  if (m.auto_submitted)
    g_mime_object_set_header(object, "Auto-Submitted", "auto-generated", nullptr);

  // The body: text, or text and HTML as alternatives (the last one is the preferred one).
  GPtr<GMimeObject> body(GMIME_OBJECT(text_part("plain", m.text).release()));
  if (m.html) {
    auto alternative = adopt(g_mime_multipart_new_with_subtype("alternative"));
    g_mime_multipart_add(alternative.get(), body.get());
    auto html = text_part("html", *m.html);
    g_mime_multipart_add(alternative.get(), GMIME_OBJECT(html.get()));
    body.reset(GMIME_OBJECT(alternative.release()));
  }
  if (!m.attachments.empty()) {
    auto mixed = adopt(g_mime_multipart_new_with_subtype("mixed"));
    g_mime_multipart_add(mixed.get(), body.get());
    for (const auto& a : m.attachments) {
      auto part = attachment_part(a);
      if (!part) return std::unexpected(part.error());
      g_mime_multipart_add(mixed.get(), GMIME_OBJECT(part->get()));
    }
    body.reset(GMIME_OBJECT(mixed.release()));
  }
  g_mime_message_set_mime_part(message.get(), body.get());

  detail::FormatOptionsPtr options(g_mime_format_options_new());
  g_mime_format_options_set_newline_format(options.get(), GMIME_NEWLINE_FORMAT_DOS);
  g_mime_format_options_set_param_encoding_method(options.get(),
                                                  GMIME_PARAM_ENCODING_METHOD_RFC2231);
  auto out = adopt(g_mime_stream_mem_new());
  if (g_mime_object_write_to_stream(object, options.get(), out.get()) < 0)
    return fail(Errc::internal, "cannot write the message");
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace faxd::mail
