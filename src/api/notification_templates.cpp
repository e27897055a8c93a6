// /api/v1/notification-templates: a brand's or a company's own fax mails (issue #18), with a
// preview and a test mail for the admin page.
#include "faxd/api/notification_templates.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "body_reader.hpp"
#include "faxd/common/embedded.hpp"
#include "faxd/common/id.hpp"
#include "faxd/mail/fax_mail_template.hpp"
#include "faxd/mail/mime.hpp"
#include "faxd/mail/template_choice.hpp"
#include "faxd/store/notification_template_repo.hpp"
#include "faxd/store/tenant_repo.hpp"
#include "resource.hpp"
#include "scope.hpp"
#include "test_mail_limiter.hpp"
#include "validate.hpp"

std::span<const faxd::EmbeddedFile> faxd_sample_fax();

namespace faxd::api {

using http::Request;
using http::Response;
using nlohmann::json;
using store::Role;

namespace {

constexpr std::size_t kMaxRequest = 256 * 1024;

const std::initializer_list<std::string_view> kFields = {"brand_id", "company_id", "kind",
                                                         "language", "from_name",  "from_address",
                                                         "subject",  "body_text",  "body_html"};

constexpr TextRule kLanguage{.non_empty = true,
                             .max_length = 5,
                             .valid = is_language,
                             .problem = "a language code such as en, es or pt-BR"};
constexpr TextRule kFromName{
    .max_length = 100, .valid = is_printable, .problem = "must not contain control characters"};
constexpr TextRule kFromAddress{
    .max_length = 254, .valid = is_email, .problem = "not an email address"};
constexpr TextRule kSubject{.non_empty = true,
                            .max_length = 300,
                            .valid = is_printable,
                            .problem = "one line without control characters"};
constexpr TextRule kBodyText{.non_empty = true, .max_length = 32 * 1024};
constexpr TextRule kBodyHtml{.max_length = 128 * 1024};

json template_json(const store::NotificationTemplate& t) {
  return {{"id", t.id},
          {"brand_id", t.brand_id},
          {"company_id", nullable(t.company_id)},
          {"kind", t.kind},
          {"language", t.language},
          {"from_name", t.from_name},
          {"from_address", t.from_address},
          {"subject", t.subject},
          {"body_text", t.body_text},
          {"body_html", nullable(t.body_html)},
          {"created_at", t.created_at},
          {"updated_at", t.updated_at}};
}

std::string variables_hint() {
  std::string out;
  for (auto v : mail::template_variables()) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{{{}}}", v);
  }
  return out;
}

// A template text: the rule's checks, then every {variable} must be one faxd knows.
std::optional<std::string> template_text(BodyReader& in, std::string_view name,
                                         const TextRule& rule) {
  auto text = in.text(name, rule);
  if (text)
    if (auto unknown = mail::unknown_variable(*text)) {
      in.reject(name, fmt::format("{}: unknown variable {{{}}}; the variables are {}", name,
                                  *unknown, variables_hint()));
      return std::nullopt;
    }
  return text;
}

std::optional<std::string> kind_field(BodyReader& in, bool required) {
  auto kind = in.text("kind", {.required = required, .non_empty = true, .max_length = 20});
  mail::MailKind k{};
  if (kind && !mail::parse_mail_kind(*kind, &k)) {
    in.reject("kind", "kind: must be fax_received, fax_delivered or fax_failed");
    return std::nullopt;
  }
  return kind;
}

// The editable fields of a body; required ones only on create (and preview).
store::NotificationTemplatePatch read_fields(BodyReader& in, bool required) {
  store::NotificationTemplatePatch p;
  p.kind = kind_field(in, required);
  TextRule language = kLanguage;
  language.required = required;
  p.language = in.text("language", language);
  p.from_name = in.text("from_name", kFromName);
  p.from_address = in.text("from_address", kFromAddress);
  TextRule subject = kSubject;
  subject.required = required;
  p.subject = template_text(in, "subject", subject);
  TextRule body = kBodyText;
  body.required = required;
  p.body_text = template_text(in, "body_text", body);
  if (in.has("body_html")) {
    auto html = template_text(in, "body_html", kBodyHtml);
    if (html && !html->empty())
      p.body_html = std::optional<std::string>(*html);
    else if (!in.error())
      p.body_html = std::optional<std::string>();  // null or "": a text-only mail
  }
  return p;
}

struct Owner {
  std::string brand_id;
  std::optional<std::string> company_id;
};

// Whose template a body describes, held to the caller's scope (outside it reads like missing).
std::optional<Owner> owner_for(const Caller& c, BodyReader& in, store::TenantRepo& tenants) {
  auto company_field = in.nullable_id("company_id");
  auto brand_field = in.id("brand_id");
  if (in.error()) return std::nullopt;
  std::optional<std::string> company_id;
  if (c.user.role == Role::company_admin) {
    if (company_field && !*company_field) {
      in.reject("company_id", "company_id: company admins manage their own company's templates");
      return std::nullopt;
    }
    company_id = c.user.company_id.value_or("");
  }
  if (company_field && *company_field) company_id = **company_field;
  if (company_id) {
    auto co = tenants.find_company(*company_id);
    if (!co) {
      in.reject("company_id", co.error().message);
      return std::nullopt;
    }
    if (!*co || !in_scope(c, {.brand_id = (*co)->brand_id, .company_id = (*co)->id}) ||
        (brand_field && *brand_field != (*co)->brand_id)) {
      in.reject("company_id", "company_id: no such company");
      return std::nullopt;
    }
    return Owner{(*co)->brand_id, (*co)->id};
  }
  if (c.user.role == Role::platform_admin && !brand_field) {
    in.reject("brand_id", "brand_id: required");
    return std::nullopt;
  }
  const auto brand = brand_field.value_or(c.user.brand_id.value_or(""));
  if (!in_scope(c, {.brand_id = brand})) {
    in.reject("brand_id", "brand_id: no such brand");
    return std::nullopt;
  }
  auto b = tenants.find_brand(brand);
  if (!b || !*b) {
    in.reject("brand_id", "brand_id: no such brand");
    return std::nullopt;
  }
  return Owner{brand, std::nullopt};
}

std::string show_mailbox(const mail::Mailbox& m) {
  if (m.name.empty()) return m.address;
  return fmt::format("{} <{}>", m.name, m.address);
}

class TemplateHandlers {
 public:
  explicit TemplateHandlers(NotificationTemplateDeps& d)
      : d_(d),
        templates_(d.db, d.clock),
        tenants_(d.db, d.clock),
        limiter_(d.clock, 10, std::chrono::minutes(10)) {}

  Result<std::optional<store::NotificationTemplate>> find(const Caller& c, const std::string& id) {
    auto t = templates_.find(id);
    if (!t || !*t) return t;
    if (!in_scope(c, {.brand_id = (*t)->brand_id, .company_id = (*t)->company_id}))
      return std::optional<store::NotificationTemplate>{};
    return t;
  }

  Response list(const Caller& c, const Request& req) {
    if (!at_least(c, Role::company_admin))
      return forbidden("notification templates are managed by admins");
    auto page = read_page(req);
    if (!page) return error_response(page.error());
    auto r = templates_.list(scope_filter(c), *page);
    return reply(r, 200, [](const auto& sl) { return page_json(sl, template_json); });
  }

  Response create(const Caller& c, const Request& req) {
    if (!at_least(c, Role::company_admin))
      return forbidden("notification templates are managed by admins");
    auto body = json_body(req);
    if (!body) return error_response(body.error());
    BodyReader in(*body);
    in.only(kFields);
    auto owner = owner_for(c, in, tenants_);
    auto fields = read_fields(in, true);
    if (auto e = in.error()) return error_response(*e);
    store::NotificationTemplate t;
    t.brand_id = owner->brand_id;
    t.company_id = owner->company_id;
    t.kind = *fields.kind;
    t.language = *fields.language;
    t.from_name = fields.from_name.value_or("");
    t.from_address = fields.from_address.value_or("");
    t.subject = *fields.subject;
    t.body_text = *fields.body_text;
    if (fields.body_html) t.body_html = *fields.body_html;
    return reply(templates_.create(t), 201, template_json);
  }

  Response patch(const Caller& c, const Request& req, const store::NotificationTemplate& t) {
    if (!at_least(c, Role::company_admin))
      return forbidden("notification templates are managed by admins");
    auto body = json_body(req);
    if (!body) return error_response(body.error());
    BodyReader in(*body);
    in.only(kFields);
    if (auto x = in.id("brand_id"); x && *x != t.brand_id)
      in.reject("brand_id", "brand_id: cannot be changed");
    if (auto x = in.nullable_id("company_id"); x && *x != t.company_id)
      in.reject("company_id", "company_id: cannot be changed");
    auto fields = read_fields(in, false);
    if (auto e = in.error()) return error_response(*e);
    return reply(templates_.update(t.id, fields), 200, template_json);
  }

  Response remove(const Caller& c, const store::NotificationTemplate& t) {
    if (!at_least(c, Role::company_admin))
      return forbidden("notification templates are managed by admins");
    return no_content_or_error(templates_.remove(t.id));
  }

  // preview and test share this: the body's template, rendered with sample values.
  struct Sample {
    mail::MailTemplate tmpl;
    mail::FaxMailFields fields;
    mail::MailKind kind{};
    mail::Mailbox smtp_from;
  };

  Result<Sample> sample(const Caller& c, BodyReader& in) {
    auto owner = owner_for(c, in, tenants_);
    auto fields = read_fields(in, true);
    if (auto e = in.error()) return std::unexpected(*e);
    Sample s;
    mail::parse_mail_kind(*fields.kind, &s.kind);
    s.tmpl = {fields.from_name.value_or(""), fields.from_address.value_or(""), *fields.subject,
              *fields.body_text, fields.body_html ? *fields.body_html : std::nullopt};
    const bool es = fields.language->starts_with("es");
    auto& f = s.fields;
    f.fax_name = es ? "Recepción" : "Reception";
    f.pages = 2;
    f.from = "+34910000001";
    f.to = "+34910000002";
    f.date = d_.clock.now();
    f.language = *fields.language;
    f.failure = es ? "El número estaba ocupado" : "The number was busy";
    auto brand = tenants_.find_brand(owner->brand_id);
    if (brand && *brand) f.brand = (*brand)->name;
    f.company = es ? "Empresa de ejemplo" : "Example company";
    if (owner->company_id) {
      auto co = tenants_.find_company(*owner->company_id);
      if (co && *co) {
        f.company = (*co)->name;
        f.timezone = (*co)->timezone;
      }
    }
    f.pdf_name = mail::attachment_filename(f.date, f.timezone, f.from);
    auto from = mail::parse_mailbox(d_.mailer.sender());
    s.smtp_from = from ? *from : mail::Mailbox{"", "faxd@localhost"};
    return s;
  }

  Response preview(const Caller& c, const Request& req) {
    if (!at_least(c, Role::company_admin))
      return forbidden("notification templates are managed by admins");
    auto body = json_body(req);
    if (!body) return error_response(body.error());
    BodyReader in(*body);
    in.only(kFields);
    auto s = sample(c, in);
    if (!s) return error_response(s.error());
    const auto rendered = mail::render_mail(s->tmpl, s->fields);
    return Response::json(
        200, {{"from", show_mailbox(mail::template_sender(s->tmpl, s->smtp_from))},
              {"subject", rendered.subject},
              {"body_text", rendered.text},
              {"body_html", rendered.html ? json(*rendered.html) : json(nullptr)},
              {"attachment", s->kind == mail::MailKind::fax_received ? json(s->fields.pdf_name)
                                                                     : json(nullptr)}});
  }

  Response test(const Caller& c, const Request& req) {
    if (!at_least(c, Role::company_admin))
      return forbidden("notification templates are managed by admins");
    auto body = json_body(req);
    if (!body) return error_response(body.error());
    BodyReader in(*body);
    in.only({"brand_id", "company_id", "kind", "language", "from_name", "from_address", "subject",
             "body_text", "body_html", "to"});
    auto to = in.text("to", {.required = true,
                             .max_length = 254,
                             .valid = is_email,
                             .problem = "not an email address"});
    auto s = sample(c, in);
    if (!s) return error_response(s.error());
    if (!d_.mailer.enabled())
      return Response::error(503, "mail_disabled", "mail is off: [smtp] url is not set");
    if (const auto wait = limiter_.take(c.user.id); wait > 0)
      return Response::error(429, "rate_limited",
                             fmt::format("too many test mails; try again in {} s", wait))
          .set("Retry-After", std::to_string(wait));
    auto msg = mail::fax_mail_message(s->tmpl, s->fields, s->smtp_from, *to);
    const auto now = d_.clock.now();
    msg.date = now;
    msg.message_id =
        fmt::format("{}.test.faxd@{}", new_id(now), mail::address_domain(msg.from.address));
    if (s->kind == mail::MailKind::fax_received)
      msg.attachments.push_back(
          {s->fields.pdf_name, "application/pdf", std::string(faxd_sample_fax().front().data)});
    auto message = mail::build_mime(msg);
    if (!message) return error_response(message.error());
    auto envelope_from = mail::address_spec(d_.mailer.sender());
    if (!envelope_from)
      return Response::error(503, "mail_disabled", "[smtp] from is not a valid address");
    auto sent = d_.mailer.send({*envelope_from, *to}, *message);
    if (!sent) {
      spdlog::warn("api.template_test_failed user={} to={} error={}", c.user.username, *to,
                   sent.error().message);
      return Response::error(
          502, "mail_refused",
          fmt::format("the mail server did not take it: {}", sent.error().message));
    }
    spdlog::info("api.template_test_sent user={} to={} kind={}", c.user.username, *to,
                 mail::to_string(s->kind));
    return Response::json(200, {{"sent", true}, {"to", *to}});
  }

 private:
  NotificationTemplateDeps& d_;
  store::NotificationTemplateRepo templates_;
  store::TenantRepo tenants_;
  TestMailLimiter limiter_;
};

}  // namespace

void add_notification_template_routes(http::Router& r, const Api& api,
                                      NotificationTemplateDeps& deps) {
  auto h = std::make_shared<TemplateHandlers>(deps);
  const std::string base = "/api/v1/notification-templates";
  auto find = [h](const Caller& c, const std::string& id) { return h->find(c, id); };
  r.add("POST", base + "/preview",
        api.authed([h](const Caller& c, const Request& req, const http::Params&) {
          return h->preview(c, req);
        }),
        {.max_body_bytes = kMaxRequest});
  r.add("POST", base + "/test",
        api.authed([h](const Caller& c, const Request& req, const http::Params&) {
          return h->test(c, req);
        }),
        {.max_body_bytes = kMaxRequest});
  add_resource(r, api,
               {.path = base,
                .list = [h](const Caller& c, const Request& req,
                            const http::Params&) { return h->list(c, req); },
                .create = [h](const Caller& c, const Request& req,
                              const http::Params&) { return h->create(c, req); },
                .get = get_in_scope(find, "notification template", template_json),
                .patch = found_in_scope(find, "notification template",
                                        [h](const Caller& c, const Request& req, const auto& t) {
                                          return h->patch(c, req, t);
                                        }),
                .remove = found_in_scope(find, "notification template",
                                         [h](const Caller& c, const Request&, const auto& t) {
                                           return h->remove(c, t);
                                         }),
                .max_body_bytes = kMaxRequest});
}

}  // namespace faxd::api
