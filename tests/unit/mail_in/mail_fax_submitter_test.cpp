// The submission pipeline of mailed faxes against a real store, spool and conversion: one fax
// per number with its own document, the cover page first when asked (the one POST /faxes draws:
// the company's cover template, dated in the company's time zone), the text drawn when there is no
// document, the same message again gets the first faxes, numbers read as the send form reads them
// (national ones of the company's country stored in E.164), and a refused request (a number that is
// none, a broken PDF, no caller id, a switched-off company) queues nothing and leaves no file
// behind.
#include <chrono>
#include <filesystem>

#include <gtest/gtest.h>

#include "faxd/common/clock.hpp"
#include "faxd/document/render.hpp"
#include "faxd/jobs/fax_cover.hpp"
#include "faxd/mail_in/mail_fax_submitter.hpp"
#include "pdf_maker.hpp"
#include "temp_dir.hpp"
#include "test_db.hpp"

using namespace faxd;
using namespace faxd::mail_in;
namespace fs = std::filesystem;

namespace {

struct MailFaxSubmitterTest : ::testing::Test {
  void SetUp() override {
    db = test::open_test_db(dir);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->write([](store::Conn& c) {
      const char* t = "2026-01-01T00:00:00.000Z";
      c.exec("INSERT INTO brands (id, name, created_at, updated_at) VALUES ('B1','b',?,?)", t, t);
      c.exec(
          "INSERT INTO companies (id, brand_id, name, language, country, created_at, updated_at) "
          "VALUES ('C1','B1','Acme','es','ES',?,?)",
          t, t);
      c.exec(
          "INSERT INTO virtual_faxes (id, company_id, name, created_at, updated_at) "
          "VALUES ('V1','C1','Office',?,?)",
          t, t);
      c.exec(
          "INSERT INTO ddis (id, brand_id, company_id, number, virtual_fax_id, created_at, "
          "updated_at) VALUES ('D1','B1','C1','+34910000001','V1',?,?)",
          t, t);
      c.exec("UPDATE virtual_faxes SET outgoing_ddi_id = 'D1' WHERE id = 'V1'");
    }));
    faxes = std::make_unique<store::FaxRepo>(*db, clock);
    cover_templates = std::make_unique<store::CoverTemplateRepo>(*db, clock);
    tenants = std::make_unique<store::TenantRepo>(*db, clock);
    vfaxes = std::make_unique<store::VirtualFaxRepo>(*db, clock);
    spool = std::make_unique<jobs::Spool>(dir.path() / "spool");
    ASSERT_TRUE(spool->prepare());
    submitter = std::make_unique<MailFaxSubmitter>(
        MailFaxSubmitterDeps{.clock = clock,
                             .faxes = *faxes,
                             .tenants = *tenants,
                             .cover_templates = *cover_templates,
                             .spool = *spool,
                             .convert = {.threads = 1, .isolate = false},
                             .wake_queue = [this] { ++wakes; }});
  }

  MailFax request(std::vector<std::string> to) {
    MailFax r;
    auto v = vfaxes->find_virtual_fax("V1");
    EXPECT_TRUE(v && *v);
    r.vfax = **v;
    r.to = std::move(to);
    r.documents = {{"two.pdf", "application/pdf", test::make_pdf({{595, 842}, {595, 842}})}};
    r.idempotency_key = "mail:m1@acme.example";
    r.mail_from = "ana@acme.example";
    r.message_id = "m1@acme.example";
    return r;
  }

  std::vector<std::string> spool_files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(spool->root()))
      if (e.is_regular_file()) out.push_back(e.path().string());
    return out;
  }

  int fax_count() {
    auto n = db->read([](store::Conn& c) {
      auto& st = c.prepare("SELECT COUNT(*) FROM faxes");
      st.step();
      return st.int64(0);
    });
    return n ? static_cast<int>(*n) : -1;
  }

  test::TempDir dir;
  ManualClock clock;
  std::unique_ptr<store::Db> db;
  std::unique_ptr<store::FaxRepo> faxes;
  std::unique_ptr<store::CoverTemplateRepo> cover_templates;
  std::unique_ptr<store::TenantRepo> tenants;
  std::unique_ptr<store::VirtualFaxRepo> vfaxes;
  std::unique_ptr<jobs::Spool> spool;
  std::unique_ptr<MailFaxSubmitter> submitter;
  int wakes = 0;
};

}  // namespace

TEST(MailNumber, ReadAsTheSendFormReadsThemWithTheCompanysCountry) {
  // National numbers of the company's country, its international prefix, '+'.
  EXPECT_EQ(mail_number("910000002", "ES"), "+34910000002");
  EXPECT_EQ(mail_number("910-000-002", "ES"), "+34910000002");
  EXPECT_EQ(mail_number("0034910000001", "ES"), "+34910000001");
  EXPECT_EQ(mail_number("+34910000001", "ES"), "+34910000001");
  EXPECT_EQ(mail_number("+34.910-000 001", ""), "+34910000001");
  // The international form without '+' email-to-fax services take, when it is no national one.
  EXPECT_EQ(mail_number("34910000001", "ES"), "+34910000001");
  EXPECT_EQ(mail_number("34910000001", ""), "+34910000001");
  EXPECT_EQ(mail_number("4930123456", "ES"), "+4930123456");
  // Refused, naming the number and what is wrong.
  for (const auto* bad : {"0910000002", "fax", "12", "1234567890123456789"}) {
    auto n = mail_number(bad, "ES");
    ASSERT_FALSE(n) << bad << " read as " << *n;
    EXPECT_EQ(n.error().code, Errc::invalid_argument);
    EXPECT_EQ(n.error().field, "to");
    EXPECT_TRUE(n.error().message.starts_with(std::string(bad) + ": ")) << n.error().message;
  }
  EXPECT_NE(mail_number("12", "ES").error().message.find("too short"), std::string::npos)
      << mail_number("12", "ES").error().message;
  EXPECT_FALSE(mail_number("", "ES"));
}

TEST_F(MailFaxSubmitterTest, ANationalNumberOfTheCompanysCountryIsStoredInE164) {
  auto made = submitter->submit(request({"910000002"}));
  ASSERT_TRUE(made) << made.error().message;
  ASSERT_EQ(made->size(), 1u);
  EXPECT_EQ((*made)[0].to_number, "+34910000002");
  EXPECT_EQ((*made)[0].from_number, "+34910000001");  // the virtual fax's outgoing DDI
}

TEST_F(MailFaxSubmitterTest, WithoutACallerIdOrWithTheCompanySwitchedOffNothingIsQueued) {
  ASSERT_TRUE(
      db->write([](store::Conn& c) { c.exec("UPDATE virtual_faxes SET outgoing_ddi_id = NULL"); }));
  auto no_ddi = submitter->submit(request({"910000002"}));
  ASSERT_FALSE(no_ddi);
  EXPECT_EQ(no_ddi.error().code, Errc::invalid_argument);
  EXPECT_EQ(no_ddi.error().field, "sender");
  EXPECT_TRUE(no_ddi.error().message.starts_with("Office has no outgoing DDI"))
      << no_ddi.error().message;

  // The company's default outgoing DDI is the caller id then; switched off, nothing goes.
  ASSERT_TRUE(db->write([](store::Conn& c) {
    c.exec("UPDATE companies SET default_outgoing_ddi_id = 'D1', enabled = 0");
  }));
  auto off = submitter->submit(request({"910000002"}));
  ASSERT_FALSE(off);
  EXPECT_EQ(off.error().field, "sender");
  EXPECT_EQ(off.error().message,
            "Acme is switched off by its provider: faxes are not sent or received");
  EXPECT_EQ(fax_count(), 0);
  EXPECT_EQ(spool_files(), std::vector<std::string>{});
  EXPECT_EQ(wakes, 0);

  ASSERT_TRUE(db->write([](store::Conn& c) { c.exec("UPDATE companies SET enabled = 1"); }));
  auto made = submitter->submit(request({"910000002"}));
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ((*made)[0].from_number, "+34910000001");
}

TEST_F(MailFaxSubmitterTest, TheCoverIsDatedInTheCompanysTimeZone) {
  using namespace std::chrono;
  ASSERT_TRUE(db->write(
      [](store::Conn& c) { c.exec("UPDATE companies SET timezone = 'America/Mexico_City'"); }));
  // 00:30 UTC on 6 December is still 5 December (18:30) in Mexico City.
  clock.advance(sys_days{year{2026} / 12 / 6} + minutes{30} - clock.now());
  auto r = request({"910000002"});
  r.cover_subject = "Pedido 42";
  auto made = submitter->submit(r);
  ASSERT_TRUE(made) << made.error().message;
  auto first = document::read_fax_page(spool->path(*(*made)[0].document).string(), 0);
  ASSERT_TRUE(first) << first.error().message;
  document::CoverPage cover{.language = "es",
                            .company_name = "Acme",
                            .from_name = "Office",
                            .from_number = "+34910000001",
                            .to_number = "+34910000002",
                            .subject = "Pedido 42",
                            .date = "5 dic 2026 18:30",
                            .pages = 3};
  auto local = document::render_cover_page(cover, document::Quality::fine);
  ASSERT_TRUE(local);
  cover.date = "6 dic 2026 00:30";
  auto utc = document::render_cover_page(cover, document::Quality::fine);
  ASSERT_TRUE(utc);
  ASSERT_NE(local->bits, utc->bits) << "the date is drawn";
  EXPECT_EQ(first->width, local->width);
  EXPECT_EQ(first->height, local->height);
  EXPECT_TRUE(first->bits == local->bits) << "the cover shows the local date, 5 dic 2026 18:30";
}

TEST_F(MailFaxSubmitterTest, TheCoverIsDrawnFromTheCompanysCoverTemplateAsPostFaxesDrawsIt) {
  using namespace std::chrono;
  clock.advance(sys_days{year{2026} / 12 / 6} + hours{10} - clock.now());
  ASSERT_TRUE(
      db->write([](store::Conn& c) { c.exec("UPDATE companies SET timezone = 'Europe/Madrid'"); }));
  ASSERT_TRUE(cover_templates->put({.company_id = "C1",
                                    .title = "FAX URGENTE",
                                    .company_name = "Acme Iberica SL",
                                    .company_details = "Calle Mayor 1\n28013 Madrid",
                                    .footer = "Confidencial: solo para el destinatario"}));
  auto r = request({"910000002"});
  r.cover_subject = "Pedido 42";
  auto made = submitter->submit(r);
  ASSERT_TRUE(made) << made.error().message;
  ASSERT_EQ(made->size(), 1u);
  EXPECT_EQ((*made)[0].pages_total, 3);
  const auto sent = spool->path(*(*made)[0].document).string();
  auto first = document::read_fax_page(sent, 0);
  ASSERT_TRUE(first) << first.error().message;

  // What the template says, drawn by hand: the mailed cover is exactly that page.
  document::CoverPage with{.language = "es",
                           .title = "FAX URGENTE",
                           .company_name = "Acme Iberica SL",
                           .company_details = "Calle Mayor 1\n28013 Madrid",
                           .from_name = "Office",
                           .from_number = "+34910000001",
                           .to_number = "+34910000002",
                           .subject = "Pedido 42",
                           .date = "6 dic 2026 11:00",
                           .pages = 3,
                           .footer = "Confidencial: solo para el destinatario"};
  auto expected = document::render_cover_page(with, document::Quality::fine);
  ASSERT_TRUE(expected);
  document::CoverPage without = with;
  without.title.clear();
  without.company_name = "Acme";
  without.company_details.clear();
  without.footer.clear();
  auto plain = document::render_cover_page(without, document::Quality::fine);
  ASSERT_TRUE(plain);
  ASSERT_NE(expected->bits, plain->bits) << "the template shows on the page";
  EXPECT_EQ(first->width, expected->width);
  EXPECT_EQ(first->height, expected->height);
  EXPECT_TRUE(first->bits == expected->bits) << "the mailed cover shows the company's template";

  // And the shared code POST /faxes draws with gives the same page for the same inputs.
  auto body = spool->path(spool->new_document("outbound", clock.now())).string();
  ASSERT_TRUE(document::write_fax_tiff(
      {*document::read_fax_page(sent, 1), *document::read_fax_page(sent, 2)}, body));
  auto ctx =
      jobs::cover_context(*tenants, *cover_templates, r.vfax, "+34910000001",
                          {.subject = "Pedido 42"}, clock.now(), body, document::Quality::fine);
  ASSERT_TRUE(ctx) << ctx.error().message;
  const auto api = (dir.path() / "api.tiff").string();
  ASSERT_TRUE(jobs::write_with_cover(*spool, clock.now(), *ctx, "+34910000002", 2, body, api));
  auto api_first = document::read_fax_page(api, 0);
  ASSERT_TRUE(api_first);
  EXPECT_TRUE(api_first->bits == first->bits) << "both paths draw the same cover";
  EXPECT_EQ(document::tiff_page_count(api).value_or(0), 3);

  // Without the template the mailed cover is the plain one.
  ASSERT_TRUE(db->write([](store::Conn& c) { c.exec("DELETE FROM cover_templates"); }));
  r.idempotency_key = "mail:m2@acme.example";
  auto again = submitter->submit(r);
  ASSERT_TRUE(again) << again.error().message;
  auto plain_first = document::read_fax_page(spool->path(*(*again)[0].document).string(), 0);
  ASSERT_TRUE(plain_first);
  EXPECT_TRUE(plain_first->bits == plain->bits) << "no template: the company's name, title FAX";
}

TEST_F(MailFaxSubmitterTest, OneFaxPerNumberWithItsOwnDocumentAndTheSameMailAgainGetsThem) {
  auto r = request({"34910000002", "+34910000003", "0034910000002"});
  r.cover_subject = "Pedido 42";
  auto made = submitter->submit(r);
  ASSERT_TRUE(made) << made.error().message;
  ASSERT_EQ(made->size(), 2u);  // the repeated number once
  EXPECT_EQ((*made)[0].to_number, "+34910000002");
  EXPECT_EQ((*made)[1].to_number, "+34910000003");
  for (const auto& f : *made) {
    EXPECT_EQ(f.status, store::FaxStatus::queued);
    EXPECT_EQ(f.pages_total, 3);  // the cover page and two pages
    EXPECT_FALSE(f.created_by);
    ASSERT_TRUE(f.document);
    EXPECT_TRUE(fs::exists(spool->path(*f.document)));
    EXPECT_EQ(document::tiff_page_count(spool->path(*f.document).string()).value_or(0), 3);
  }
  EXPECT_NE((*made)[0].document, (*made)[1].document);
  EXPECT_EQ(wakes, 1);
  auto sender = db->read([&](store::Conn& c) {
    auto& st = c.prepare("SELECT mail_from, mail_message_id FROM faxes WHERE id = ?");
    st.bind_all((*made)[0].id);
    st.step();
    return st.text(0) + " " + st.text(1);
  });
  EXPECT_EQ(sender.value_or(""), "ana@acme.example m1@acme.example");

  const auto files = spool_files().size();
  auto again = submitter->submit(r);
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ((*again)[0].id, (*made)[0].id);
  EXPECT_EQ((*again)[1].id, (*made)[1].id);
  EXPECT_EQ(fax_count(), 2);
  EXPECT_EQ(spool_files().size(), files);
}

TEST_F(MailFaxSubmitterTest, TextWithoutADocumentIsDrawnAsThePage) {
  auto r = request({"34910000002"});
  r.documents.clear();
  r.text = "Texto del fax\r\nsegunda l\xC3\xADnea\r\n";
  auto made = submitter->submit(r);
  ASSERT_TRUE(made) << made.error().message;
  ASSERT_EQ(made->size(), 1u);
  EXPECT_EQ((*made)[0].pages_total, 1);
}

TEST_F(MailFaxSubmitterTest, ARefusedRequestQueuesNothingAndLeavesNoFile) {
  auto national = submitter->submit(request({"34910000002", "0910000002"}));
  ASSERT_FALSE(national);
  EXPECT_EQ(national.error().code, Errc::invalid_argument);
  EXPECT_EQ(national.error().field, "to");
  EXPECT_NE(national.error().message.find("0910000002"), std::string::npos);

  auto r = request({"34910000002"});
  r.documents = {{"roto.pdf", "application/pdf", "%PDF-1.4\nthis is no PDF at all\n"}};
  auto broken = submitter->submit(r);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, Errc::invalid_argument);
  EXPECT_EQ(broken.error().field, "file");
  EXPECT_TRUE(broken.error().message.starts_with("roto.pdf cannot be faxed"))
      << broken.error().message;

  EXPECT_EQ(fax_count(), 0);
  EXPECT_EQ(spool_files(), std::vector<std::string>{});
  EXPECT_EQ(wakes, 0);
}
