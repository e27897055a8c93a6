// Reading mails as mail clients send them: attachments in order, text, HTML-only mails, what
// cannot be faxed, From, Message-ID and the Authentication-Results headers.
#include <gtest/gtest.h>

#include "faxd/mail/mime.hpp"
#include "faxd/mail_in/mail_reader.hpp"

using namespace faxd;
using namespace faxd::mail_in;

namespace {

const std::string kPdf = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
const std::string kTiff = std::string("II*\0", 4) + "rest of a tiff";

mail::MailMessage base() {
  mail::MailMessage m;
  m.from = {"Ana Pérez", "Ana@Acme.example"};
  m.to = {{"", "+34910000002@fax.example"}};
  m.subject = "Factura nº 7";
  m.text = "Hola,\nva la factura.\n";
  m.message_id = "abc.123@acme.example";
  m.auto_submitted = false;
  return m;
}

}  // namespace

TEST(MailReader, TakesPdfAndTiffAttachmentsInOrder) {
  auto m = base();
  m.attachments = {{"uno.pdf", "application/pdf", kPdf},
                   {"logo.png", "image/png", "\x89PNG..."},
                   {"dos.tif", "image/tiff", kTiff},
                   {"tres.bin", "application/octet-stream", kPdf}};
  auto raw = mail::build_mime(m);
  ASSERT_TRUE(raw);
  auto r = read_mail(
      "Authentication-Results: mx.example; spf=pass\r\n"
      "Authentication-Results: older.example; spf=fail\r\n" +
      *raw);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->from);
  EXPECT_EQ(r->from->address, "Ana@Acme.example");
  EXPECT_EQ(r->from->name, "Ana Pérez");
  EXPECT_EQ(r->subject, "Factura nº 7");
  EXPECT_EQ(r->message_id, "abc.123@acme.example");
  EXPECT_EQ(r->auth_results,
            (std::vector<std::string>{"mx.example; spf=pass", "older.example; spf=fail"}));
  ASSERT_EQ(r->documents.size(), 3u);
  EXPECT_EQ(r->documents[0].filename, "uno.pdf");
  EXPECT_EQ(r->documents[0].data, kPdf);
  EXPECT_EQ(r->documents[1].content_type, "image/tiff");
  EXPECT_EQ(r->documents[1].data, kTiff);
  EXPECT_EQ(r->documents[2].content_type, "application/pdf");  // known by its content
  EXPECT_EQ(r->other_attachments, std::vector<std::string>{"logo.png"});
  EXPECT_EQ(r->text, "Hola,\r\nva la factura.\r\n");
}

TEST(MailReader, TurnsAnHtmlOnlyMailIntoText) {
  const std::string raw =
      "From: ana@acme.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
      "Content-Type: text/html; charset=utf-8\r\n\r\n"
      "<html><head><style>p{color:red}</style></head><body><p>Hola&nbsp;&amp; "
      "adi&#243;s</p><p>Segunda<br>l&iacute;nea</p><script>x()</script></body></html>\r\n";
  auto r = read_mail(raw);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->documents.empty());
  EXPECT_EQ(r->text, "Hola & adiós\nSegunda\nl&iacute;nea");
}

TEST(MailReader, ListsAttachmentsThatCannotBeFaxedAndIgnoresSignatures) {
  const std::string raw =
      "From: ana@acme.example\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nSee the attachment\r\n"
      "--b\r\nContent-Type: application/vnd.openxmlformats-officedocument.wordprocessingml."
      "document\r\nContent-Disposition: attachment; filename=\"carta.docx\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n"
      "--b\r\nContent-Type: text/x-vcard\r\nContent-Disposition: attachment; filename=ana.vcf\r\n"
      "\r\nBEGIN:VCARD\r\n"
      "--b\r\nContent-Type: image/png\r\nContent-Disposition: inline\r\nContent-ID: <logo>\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n"
      "--b--\r\n";
  auto r = read_mail(raw);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->documents.empty());
  EXPECT_EQ(r->other_attachments, std::vector<std::string>{"carta.docx"});
  EXPECT_EQ(r->text, "See the attachment");
}

TEST(MailReader, AMailWithoutASingleFromHasNoSender) {
  auto r = read_mail("From: a@x.example, b@y.example\r\nSubject: two\r\n\r\nbody\r\n");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->from);
  r = read_mail("Subject: none\r\n\r\nbody\r\n");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->from);
}

TEST(MailReader, HtmlToTextKeepsWordsAndBreaks) {
  EXPECT_EQ(html_to_text("<ul><li>uno</li><li>dos</li></ul>"), "- uno\n- dos");
  EXPECT_EQ(html_to_text("a   b\n\n c"), "a b c");
  EXPECT_EQ(html_to_text("&#x263A; &lt;b&gt;"), "\u263A <b>");
  EXPECT_EQ(html_to_text("<p>a</p><p></p><p></p><p>b</p>"), "a\n\nb");
}
