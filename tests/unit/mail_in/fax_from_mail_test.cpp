// What a relayed mail becomes, against a real store and a fake submission pipeline: the sender
// picks the virtual fax, documents or text, cover subject, idempotency key; every refusal says
// why in its reply.
#include <gtest/gtest.h>

#include "faxd/common/clock.hpp"
#include "faxd/mail/mime.hpp"
#include "faxd/mail_in/fax_from_mail.hpp"
#include "faxd/store/virtual_fax_repo.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

using namespace faxd;
using namespace faxd::mail_in;

namespace {

const std::string kPdf = "%PDF-1.4\n%%EOF\n";

class FakeSubmitter final : public FaxSubmitter {
 public:
  Result<std::vector<store::Fax>> submit(const MailFax& r) override {
    requests.push_back(r);
    if (error) return std::unexpected(*error);
    std::vector<store::Fax> out;
    for (std::size_t i = 0; i < r.to.size(); ++i) {
      store::Fax f;
      f.id = "FAX" + std::to_string(requests.size()) + "_" + std::to_string(i);
      out.push_back(f);
    }
    return out;
  }
  std::vector<MailFax> requests;
  std::optional<Error> error;
};

struct FaxFromMailTest : ::testing::Test {
  void SetUp() override {
    db = test::open_test_db(dir);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->write([](store::Conn& c) {
      const char* t = "2026-01-01T00:00:00.000Z";
      c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES ('B1','b',?,?)", t, t);
      c.exec(
          "INSERT INTO companies (id, brand_id, name, created_at, updated_at) VALUES "
          "('C1','B1','Acme',?,?), ('C2','B1','Other',?,?)",
          t, t, t, t);
      c.exec(
          "INSERT INTO virtual_faxes (id, company_id, name, created_at, updated_at, mail_cover) "
          "VALUES ('V1','C1','Office',?,?,1), ('V2','C1','Sales',?,?,0), "
          "('V3','C2','Theirs',?,?,0)",
          t, t, t, t, t, t);
    }));
    vfaxes = std::make_unique<store::VirtualFaxRepo>(*db, clock);
    senders("V1", {"ana@acme.example"});
    senders("V2", {"@acme.example"});
    handler =
        std::make_unique<FaxFromMail>(*vfaxes, submitter, FaxFromMailOptions{.authserv_ids = {}});
  }
  void senders(const std::string& vfax, std::vector<std::string> list) {
    store::VirtualFaxPatch p;
    p.mail_senders = std::move(list);
    ASSERT_TRUE(vfaxes->update_virtual_fax(vfax, p));
  }
  std::string mail(const std::string& from, std::vector<mail::Attachment> files,
                   std::string text = "Please fax this.", std::string headers = "") {
    mail::MailMessage m;
    m.from = {"", from};
    m.to = {{"", "910000002@fax.example"}};
    m.subject = "Pedido 42";
    m.text = std::move(text);
    m.attachments = std::move(files);
    m.message_id = "m1@acme.example";
    m.auto_submitted = false;
    return headers + *mail::build_mime(m);
  }
  SmtpReply deliver(std::string data, std::vector<std::string> to = {"910000002@fax.example"}) {
    return handler->deliver(
        {"127.0.0.1", "relay", "bounce@acme.example", std::move(to), std::move(data)});
  }

  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<store::Db> db;
  std::unique_ptr<store::VirtualFaxRepo> vfaxes;
  FakeSubmitter submitter;
  std::unique_ptr<FaxFromMail> handler;
};

}  // namespace

TEST_F(FaxFromMailTest, AListedSendersPdfBecomesAFaxFromItsVirtualFax) {
  const auto r = deliver(mail("Ana@ACME.example", {{"a.pdf", "application/pdf", kPdf},
                                                   {"b.pdf", "application/pdf", kPdf + " "}}),
                         {"910000002@fax.example", "+34910000003@other.example"});
  EXPECT_EQ(r.code, 250) << r.text;
  EXPECT_EQ(r.text, "2.0.0 queued as fax FAX1_0, FAX1_1");
  ASSERT_EQ(submitter.requests.size(), 1u);
  const auto& q = submitter.requests[0];
  EXPECT_EQ(q.vfax.id, "V1");  // her own address wins over the domain's virtual fax
  EXPECT_EQ(q.to, (std::vector<std::string>{"910000002", "+34910000003"}));
  ASSERT_EQ(q.documents.size(), 2u);
  EXPECT_EQ(q.documents[0].filename, "a.pdf");
  EXPECT_EQ(q.documents[1].data, kPdf + " ");
  EXPECT_TRUE(q.text.empty());
  EXPECT_EQ(q.cover_subject, "Pedido 42");  // V1 asks for a cover page
  EXPECT_EQ(q.mail_from, "Ana@ACME.example");
  EXPECT_EQ(q.message_id, "m1@acme.example");
  EXPECT_EQ(q.idempotency_key, "mail:m1@acme.example");
}

TEST_F(FaxFromMailTest, TheDomainsVirtualFaxTakesOtherSendersAndTextBecomesThePage) {
  const auto r = deliver(mail("luis@acme.example", {}, "Texto del fax\nsegunda línea"));
  EXPECT_EQ(r.code, 250) << r.text;
  const auto& q = submitter.requests.at(0);
  EXPECT_EQ(q.vfax.id, "V2");
  EXPECT_TRUE(q.documents.empty());
  EXPECT_EQ(q.text, "Texto del fax\r\nsegunda l\xC3\xADnea\r\n");
  EXPECT_FALSE(q.cover_subject);  // V2 does not ask for a cover page
}

TEST_F(FaxFromMailTest, RefusesUnknownSendersAndWhatCannotBeFaxed) {
  auto r = deliver(mail("eve@evil.example", {{"a.pdf", "application/pdf", kPdf}}));
  EXPECT_EQ(r.code, 550);
  EXPECT_EQ(r.text,
            "5.7.1 eve@evil.example may not send faxes here (not in any virtual fax's "
            "mail senders)");
  r = deliver(mail("ana@acme.example", {{"carta.docx", "application/msword", "PK.."}}));
  EXPECT_EQ(r.code, 550);
  EXPECT_EQ(r.text, "5.6.1 no PDF or TIFF attachment to fax (carta.docx cannot be faxed)");
  r = deliver(mail("ana@acme.example", {}, " \n"));
  EXPECT_EQ(r.code, 550);
  EXPECT_TRUE(r.text.starts_with("5.6.1 nothing to fax")) << r.text;
  r = deliver("Subject: no sender\r\n\r\nhello\r\n");
  EXPECT_EQ(r.code, 550);
  EXPECT_TRUE(r.text.starts_with("5.7.1 the mail has no single From")) << r.text;
  EXPECT_TRUE(submitter.requests.empty());
}

TEST_F(FaxFromMailTest, RefusesWhatTheRelaySaysFailedAuthentication) {
  auto r = deliver(mail("ana@acme.example", {{"a.pdf", "application/pdf", kPdf}}, "x",
                        "Authentication-Results: mx.example; spf=fail "
                        "smtp.mailfrom=ana@acme.example\r\n"));
  EXPECT_EQ(r.code, 550);
  EXPECT_EQ(r.text,
            "5.7.1 SPF failed for ana@acme.example: faxes are sent only from "
            "authenticated mail");
  r = deliver(mail("ana@acme.example", {{"a.pdf", "application/pdf", kPdf}}, "x",
                   "Authentication-Results: mx.example; dkim=fail header.d=acme.example\r\n"));
  EXPECT_EQ(r.code, 550);
  EXPECT_TRUE(submitter.requests.empty());
  r = deliver(mail("ana@acme.example", {{"a.pdf", "application/pdf", kPdf}}, "x",
                   "Authentication-Results: mx.example; spf=pass; dkim=pass\r\n"));
  EXPECT_EQ(r.code, 250);
}

TEST_F(FaxFromMailTest, ASenderListedTwiceEquallyIsAmbiguous) {
  senders("V3", {"ana@acme.example"});
  const auto r = deliver(mail("ana@acme.example", {{"a.pdf", "application/pdf", kPdf}}));
  EXPECT_EQ(r.code, 550);
  EXPECT_TRUE(r.text.find("more than one virtual fax") != std::string::npos) << r.text;
}

TEST_F(FaxFromMailTest, PipelineErrorsBecomeClearRepliesTemporaryOnesA4xx) {
  const auto pdf = mail("ana@acme.example", {{"a.pdf", "application/pdf", kPdf}});
  submitter.error = Error{Errc::invalid_argument, "to: 910: too short for a number of ES", "to"};
  auto r = deliver(pdf);
  EXPECT_EQ(r.code, 550);
  EXPECT_EQ(r.text, "5.1.1 to: 910: too short for a number of ES");
  submitter.error = Error{Errc::invalid_argument, "a.pdf: the PDF is encrypted", "file"};
  EXPECT_EQ(deliver(pdf).text, "5.6.0 a.pdf: the PDF is encrypted");
  submitter.error = Error{Errc::invalid_argument, "Office has no outgoing DDI (...)", "sender"};
  r = deliver(pdf);
  EXPECT_EQ(r.code, 550);
  EXPECT_EQ(r.text, "5.7.1 Office has no outgoing DDI (...)");
  submitter.error = Error{Errc::too_large, "more than 50 pages"};
  EXPECT_EQ(deliver(pdf).code, 552);
  submitter.error = Error{Errc::io, "disk full"};
  EXPECT_EQ(deliver(pdf).code, 452);
  submitter.error = Error{Errc::internal, "database is locked"};
  r = deliver(pdf);
  EXPECT_EQ(r.code, 451);
  EXPECT_EQ(r.text.find("database"), std::string::npos);  // no internals to the relay
}

TEST_F(FaxFromMailTest, AMailWithoutMessageIdIsKeyedByItsContent) {
  const std::string raw = "From: ana@acme.example\r\nSubject: x\r\n\r\nJust text\r\n";
  ASSERT_EQ(deliver(raw).code, 250);
  ASSERT_EQ(deliver(raw).code, 250);
  ASSERT_EQ(submitter.requests.size(), 2u);
  EXPECT_TRUE(submitter.requests[0].idempotency_key.starts_with("mail:sha256:"));
  EXPECT_EQ(submitter.requests[0].idempotency_key, submitter.requests[1].idempotency_key);
  EXPECT_EQ(submitter.requests[0].message_id, "");
  EXPECT_TRUE(usable_message_id("a.b@c.example"));
  EXPECT_FALSE(usable_message_id("a b@c"));
  EXPECT_FALSE(usable_message_id("nobrackets"));
  EXPECT_FALSE(usable_message_id("<a@b>"));
}
