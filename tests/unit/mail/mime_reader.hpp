#pragma once
// Reads a built message back with GMime's parser, as a mail client would, for the mail tests.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include <gmime/gmime.h>

#include "faxd/mail/mime.hpp"

namespace faxd::test {

// Reads a built message back with GMime's parser, as a mail client would.
struct Parsed {
  std::string from, to, subject, message_id, in_reply_to, auto_submitted;
  std::vector<std::string> types;  // content types in depth-first order
  std::string text, html;
  std::vector<std::pair<std::string, std::string>> files;  // name, decoded bytes
};

inline std::string part_bytes(GMimePart* part) {
  auto* wrapper = g_mime_part_get_content(part);
  GMimeStream* out = g_mime_stream_mem_new();
  g_mime_data_wrapper_write_to_stream(wrapper, out);
  GByteArray* a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
  std::string s(reinterpret_cast<const char*>(a->data), a->len);
  g_object_unref(out);
  return s;
}

inline void walk(GMimeObject* o, Parsed& p) {
  auto* ct = g_mime_object_get_content_type(o);
  char* type = g_mime_content_type_get_mime_type(ct);
  p.types.push_back(type);
  g_free(type);
  if (GMIME_IS_MULTIPART(o)) {
    auto* mp = GMIME_MULTIPART(o);
    for (int i = 0; i < g_mime_multipart_get_count(mp); ++i)
      walk(g_mime_multipart_get_part(mp, i), p);
    return;
  }
  if (!GMIME_IS_PART(o)) return;
  auto* part = GMIME_PART(o);
  if (const char* name = g_mime_part_get_filename(part)) {
    p.files.emplace_back(name, part_bytes(part));
  } else if (GMIME_IS_TEXT_PART(o)) {
    char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(o));
    (g_mime_content_type_is_type(ct, "text", "html") ? p.html : p.text) = text;
    g_free(text);
  }
}

inline Parsed parse(const std::string& raw) {
  mail::init_mime();
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(raw.data(), raw.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* m = g_mime_parser_construct_message(parser, nullptr);
  Parsed p;
  EXPECT_NE(m, nullptr);
  if (m) {
    auto header = [&](const char* name) {
      const char* v = g_mime_object_get_header(GMIME_OBJECT(m), name);
      return std::string(v ? v : "");
    };
    char* from = internet_address_list_to_string(g_mime_message_get_from(m), nullptr, FALSE);
    char* to = internet_address_list_to_string(g_mime_message_get_to(m), nullptr, FALSE);
    p.from = from;
    p.to = to;
    g_free(from);
    g_free(to);
    p.subject = g_mime_message_get_subject(m) ? g_mime_message_get_subject(m) : "";
    p.message_id = g_mime_message_get_message_id(m) ? g_mime_message_get_message_id(m) : "";
    p.in_reply_to = header("In-Reply-To");
    p.auto_submitted = header("Auto-Submitted");
    walk(g_mime_message_get_mime_part(m), p);
    g_object_unref(m);
  }
  g_object_unref(parser);
  g_object_unref(stream);
  return p;
}

}  // namespace faxd::test
