#include "faxd/mail_in/mail_reader.hpp"

#include <algorithm>
#include <charconv>
#include <memory>

#include <gmime/gmime.h>

namespace faxd::mail_in {

namespace {

struct Unref {
  void operator()(void* p) const noexcept {
    if (p) g_object_unref(p);
  }
};
template <class T>
using GPtr = std::unique_ptr<T, Unref>;

struct GFree {
  void operator()(void* p) const noexcept { g_free(p); }
};
using GString = std::unique_ptr<char, GFree>;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && lower(s.substr(s.size() - suffix.size())) == suffix;
}

std::string part_bytes(GMimePart* part) {
  auto* wrapper = g_mime_part_get_content(part);
  if (!wrapper) return {};
  GPtr<GMimeStream> out(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(wrapper, out.get());  // decodes base64 / QP
  GByteArray* a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(a->data), a->len);
}

std::string text_of(GMimeTextPart* part) {
  GString text(g_mime_text_part_get_text(part));  // converted to UTF-8 from its charset
  return text ? std::string(text.get()) : std::string();
}

bool is_pdf(std::string_view data) {
  return data.substr(0, 1024).find("%PDF-") != std::string_view::npos;
}
bool is_tiff(std::string_view data) {
  return data.starts_with(std::string_view("II*\0", 4)) ||
         data.starts_with(std::string_view("MM\0*", 4));
}

bool ignored_type(std::string_view type) {
  static constexpr std::string_view kIgnored[] = {"application/pkcs7-signature",
                                                  "application/x-pkcs7-signature",
                                                  "application/pgp-signature",
                                                  "application/pgp-keys",
                                                  "text/vcard",
                                                  "text/x-vcard",
                                                  "text/directory"};
  return std::find(std::begin(kIgnored), std::end(kIgnored), type) != std::end(kIgnored);
}

struct Walk {
  IncomingMail& mail;
  std::optional<std::string> html;

  void object(GMimeObject* o) {
    if (GMIME_IS_MULTIPART(o)) {
      auto* mp = GMIME_MULTIPART(o);
      for (int i = 0; i < g_mime_multipart_get_count(mp); ++i)
        object(g_mime_multipart_get_part(mp, i));
      return;
    }
    const char* disposition = g_mime_object_get_disposition(o);
    const bool attached = disposition && lower(disposition) == "attachment";
    auto* ct = g_mime_object_get_content_type(o);
    GString mime_type(g_mime_content_type_get_mime_type(ct));
    const std::string type = lower(mime_type ? mime_type.get() : "application/octet-stream");
    if (GMIME_IS_MESSAGE_PART(o)) {  // a forwarded mail: not a document
      mail.other_attachments.push_back("forwarded message");
      return;
    }
    if (!GMIME_IS_PART(o)) return;
    auto* part = GMIME_PART(o);
    const char* name = g_mime_part_get_filename(part);
    const std::string filename = name ? name : "";
    if (ignored_type(type)) return;
    const bool text = g_mime_content_type_is_type(ct, "text", "*");
    if (text && !attached && filename.empty()) {
      if (type == "text/plain" && mail.text.empty())
        mail.text = text_of(GMIME_TEXT_PART(o));
      else if (type == "text/html" && !html)
        html = text_of(GMIME_TEXT_PART(o));
      return;
    }
    auto data = part_bytes(part);
    const bool named_pdf =
        type == "application/pdf" || type == "application/x-pdf" || ends_with_ci(filename, ".pdf");
    const bool named_tiff = type == "image/tiff" || type == "image/tif" ||
                            ends_with_ci(filename, ".tif") || ends_with_ci(filename, ".tiff");
    if (is_pdf(data) || is_tiff(data) || named_pdf || named_tiff) {
      std::string ctype = is_pdf(data)    ? "application/pdf"
                          : is_tiff(data) ? "image/tiff"
                          : named_pdf     ? "application/pdf"
                                          : "image/tiff";
      mail.documents.push_back({filename, std::move(ctype), std::move(data)});
      return;
    }
    if (attached) mail.other_attachments.push_back(filename.empty() ? type : filename);
  }
};

void append_entity(std::string& out, std::string_view entity) {
  static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}};
  for (const auto& [name, text] : kNamed)
    if (entity == name) {
      out += text;
      return;
    }
  if (entity.size() > 1 && entity.front() == '#') {
    unsigned code = 0;
    const bool hex = entity.size() > 2 && (entity[1] == 'x' || entity[1] == 'X');
    const auto digits = entity.substr(hex ? 2 : 1);
    const auto [p, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
    if (ec == std::errc{} && p == digits.data() + digits.size() && code > 0 && code < 0x110000 &&
        (code < 0xD800 || code > 0xDFFF)) {
      if (code < 0x80) {
        out += static_cast<char>(code);
      } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      }
      return;
    }
  }
  out += '&';
  out += entity;
  out += ';';
}

}  // namespace

std::string html_to_text(std::string_view html) {
  std::string out;
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      const auto end = html.find('>', i);
      if (end == std::string_view::npos) break;
      auto tag = lower(html.substr(i + 1, end - i - 1));
      const bool closing = tag.starts_with('/');
      if (closing) tag.erase(0, 1);
      const auto name = tag.substr(0, tag.find_first_of(" \t\r\n/"));
      if (!closing && (name == "script" || name == "style" || name == "head" || name == "title")) {
        const auto close = lower(html.substr(end)).find("</" + name);
        i = close == std::string::npos ? html.size() : end + close;
        const auto gt = html.find('>', i);
        i = gt == std::string_view::npos ? html.size() : gt + 1;
        continue;
      }
      if (name == "br" ||
          (closing && (name == "p" || name == "div" || name == "tr" || name == "li" ||
                       name == "h1" || name == "h2" || name == "h3" || name == "table")))
        out += '\n';
      if (!closing && name == "li") out += "- ";
      i = end + 1;
      continue;
    }
    if (c == '&') {
      const auto semi = html.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        append_entity(out, html.substr(i + 1, semi - i - 1));
        i = semi + 1;
        continue;
      }
    }
    if (c == '\r') {
      ++i;
      continue;
    }
    // Source line breaks and runs of spaces are one space, as a browser shows them.
    if (c == '\n' || c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ' && out.back() != '\n') out += ' ';
      ++i;
      continue;
    }
    out += c;
    ++i;
  }
  // No more than one blank line in a row, none at the ends.
  std::string tidy;
  int newlines = 0;
  for (char c : out) {
    if (c == '\n') {
      while (!tidy.empty() && tidy.back() == ' ') tidy.pop_back();
      if (++newlines <= 2 && !tidy.empty()) tidy += c;
      continue;
    }
    if (c == ' ' && (tidy.empty() || tidy.back() == '\n')) continue;
    newlines = 0;
    tidy += c;
  }
  while (!tidy.empty() && (tidy.back() == '\n' || tidy.back() == ' ')) tidy.pop_back();
  return tidy;
}

Result<IncomingMail> read_mail(std::string_view data) {
  mail::init_mime();
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(data.data(), data.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!message) return fail(Errc::invalid_argument, "not a mail message");
  IncomingMail mail;
  auto* from = g_mime_message_get_from(message.get());
  if (from && internet_address_list_length(from) == 1) {
    auto* address = internet_address_list_get_address(from, 0);
    if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
      const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
      const char* name = internet_address_get_name(address);
      if (addr && *addr) mail.from = mail::Mailbox{name ? name : "", addr};
    }
  }
  if (const char* s = g_mime_message_get_subject(message.get())) mail.subject = s;
  if (const char* id = g_mime_message_get_message_id(message.get())) mail.message_id = id;
  auto* headers = g_mime_object_get_header_list(GMIME_OBJECT(message.get()));
  for (int i = 0; i < g_mime_header_list_get_count(headers); ++i) {
    auto* h = g_mime_header_list_get_header_at(headers, i);
    const char* name = g_mime_header_get_name(h);
    if (name && lower(name) == "authentication-results") {
      const char* value = g_mime_header_get_value(h);
      mail.auth_results.emplace_back(value ? value : "");
    }
  }
  Walk walk{mail, std::nullopt};
  if (auto* body = g_mime_message_get_mime_part(message.get())) walk.object(body);
  if (mail.text.empty() && walk.html) mail.text = html_to_text(*walk.html);
  return mail;
}

}  // namespace faxd::mail_in
