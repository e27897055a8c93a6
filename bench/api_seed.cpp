// api_seed: fills a new faxd store with a realistic year of fax traffic for bench/api.bench.sh.
//   faxd-api-seed --db PATH [--faxes N] [--env OUT]
// The schema comes from the real migrations (Db::open_sqlite); tenants, users and tokens are made
// through the repositories, the faxes and their attempts by prepared INSERTs in batches.
//
// Shape: one brand; "Big company" holds ~85% of the faxes over 12 virtual faxes, one of which
// ("Small desk", ~0.1% of the rows) is the only one linked to the user `small`; five more
// companies share the rest. 55% inbound (received, some failed), 45% outbound (delivered,
// failed, canceled, a few queued); outbound faxes carry one attempt row per call. Queued faxes
// are due ten years on, so the queue dials nothing while the bench runs.
// OUT gets shell assignments (tokens and ids) for the bench script.
#include <fmt/format.h>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "faxd/common/id.hpp"
#include "faxd/common/secrets.hpp"
#include "faxd/common/time.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/ddi_repo.hpp"
#include "faxd/store/tenant_repo.hpp"
#include "faxd/store/user_repo.hpp"
#include "faxd/store/virtual_fax_repo.hpp"

namespace {

using namespace faxd;

template <class T>
T must(Result<T> r, std::string_view what) {
  if (!r) {
    fmt::print(stderr, "api_seed: {}: {}\n", what, r.error().message);
    std::exit(1);
  }
  return std::move(*r);
}

void must(Result<void> r, std::string_view what) {
  if (!r) {
    fmt::print(stderr, "api_seed: {}: {}\n", what, r.error().message);
    std::exit(1);
  }
}

struct Line {
  std::string vfax_id;
  std::string company_id;
  std::string number;  // its DDI
  double weight;       // share of its company's faxes
};

struct CompanyLines {
  std::string id;
  double share;  // of all faxes
  std::vector<Line> lines;
  std::string user_id;  // sender of its outbound faxes
};

std::string e164(std::mt19937_64& rng) {
  static const char* prefixes[] = {"+4930", "+4989", "+3491", "+3493", "+3314", "+4420", "+1212"};
  std::uniform_int_distribution<int> p(0, 6), n(1000000, 9999999);
  return fmt::format("{}{}", prefixes[p(rng)], n(rng));
}

}  // namespace

int main(int argc, char** argv) {
  std::string db_path, env_path;
  long total = 1'000'000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--db" && i + 1 < argc)
      db_path = argv[++i];
    else if (a == "--faxes" && i + 1 < argc)
      total = std::stol(argv[++i]);
    else if (a == "--env" && i + 1 < argc)
      env_path = argv[++i];
    else {
      fmt::print(stderr, "usage: faxd-api-seed --db PATH [--faxes N] [--env OUT]\n");
      return 2;
    }
  }
  if (db_path.empty()) return 2;
  init_crypto();
  SystemClock clock;
  auto db = must(store::Db::open_sqlite({.path = db_path, .readers = 1}), "open");
  store::UserRepo users(*db, clock);
  store::TenantRepo tenants(*db, clock);
  store::DdiRepo ddis(*db, clock);
  store::VirtualFaxRepo vfaxes(*db, clock);

  must(users.create({.username = "admin",
                     .password_hash = hash_password("bench-admin"),
                     .role = store::Role::platform_admin}),
       "admin");
  const auto brand = must(tenants.create_brand("Bench brand"), "brand");
  std::mt19937_64 rng(42);

  std::vector<CompanyLines> companies;
  const std::vector<std::pair<std::string, double>> shapes = {
      {"Big company", 0.85}, {"Company 2", 0.05}, {"Company 3", 0.04},
      {"Company 4", 0.03},   {"Company 5", 0.02}, {"Company 6", 0.01}};
  int ddi_n = 0;
  std::string small_vfax, small_user, big_admin;
  for (const auto& [name, share] : shapes) {
    const auto co = must(tenants.create_company({.brand_id = brand.id, .name = name}), name);
    CompanyLines cl{.id = co.id, .share = share};
    const int n_lines = name == "Big company" ? 12 : 2;
    for (int k = 0; k < n_lines; ++k) {
      const auto number = fmt::format("+493055500{:03}", ddi_n++);
      const auto d = must(
          ddis.create_ddi({.brand_id = brand.id, .company_id = co.id, .number = number}), "ddi");
      const bool small = name == "Big company" && k == n_lines - 1;
      const auto vname = small ? std::string("Small desk") : fmt::format("Line {}", k + 1);
      const auto v = must(vfaxes.create_virtual_fax({.company_id = co.id,
                                                     .name = vname,
                                                     .outgoing_ddi_id = d.id,
                                                     .station_id = number,
                                                     .header = name}),
                          "vfax");
      must(ddis.update_ddi(d.id, {.virtual_fax_id = std::optional<std::string>(v.id)}), "route");
      // Big company: line k gets weight 1/(k+1) (a few busy lines, a long tail); the small desk
      // gets about 0.1% of the company's faxes.
      cl.lines.push_back({v.id, co.id, number, small ? 0.0036 : 1.0 / (k + 1)});
      if (small) small_vfax = v.id;
    }
    const auto admin_name =
        name == "Big company" ? std::string("big") : fmt::format("admin{}", ddi_n);
    const auto admin = must(users.create({.username = admin_name,
                                          .password_hash = hash_password("bench-pass"),
                                          .role = store::Role::company_admin,
                                          .brand_id = brand.id,
                                          .company_id = co.id}),
                            "company admin");
    cl.user_id = admin.id;
    if (name == "Big company") {
      big_admin = admin.id;
      const auto u = must(users.create({.username = "small",
                                        .password_hash = hash_password("bench-pass"),
                                        .role = store::Role::user,
                                        .brand_id = brand.id,
                                        .company_id = co.id}),
                          "user");
      must(users.set_virtual_fax_ids(u.id, {small_vfax}), "link");
      small_user = u.id;
    }
    companies.push_back(std::move(cl));
  }
  const auto big_token = must(users.issue_token(big_admin, "api", "bench", std::nullopt), "token");
  const auto small_token =
      must(users.issue_token(small_user, "api", "bench", std::nullopt), "token");

  std::vector<double> co_weights;
  for (const auto& c : companies) co_weights.push_back(c.share);
  std::discrete_distribution<int> pick_company(co_weights.begin(), co_weights.end());
  std::vector<std::discrete_distribution<int>> pick_line;
  for (const auto& c : companies) {
    std::vector<double> w;
    for (const auto& l : c.lines) w.push_back(l.weight);
    pick_line.emplace_back(w.begin(), w.end());
  }
  std::uniform_real_distribution<double> u01(0, 1);
  std::uniform_int_distribution<int> pages_d(1, 12);

  const auto end = clock.now() - std::chrono::hours(1);
  const auto span = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::days(365));
  const auto start = end - span;
  const auto far = format_rfc3339(clock.now() + std::chrono::days(3650));
  const long batch = 20000;
  long small_rows = 0, big_rows = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (long done = 0; done < total;) {
    const long upto = std::min(total, done + batch);
    must(db->write([&](store::Conn& c) {
      for (long i = done; i < upto; ++i) {
        const auto t = start + span * i / total;
        const auto at = format_rfc3339(t);
        const int ci = pick_company(rng);
        const auto& co = companies[static_cast<std::size_t>(ci)];
        const auto& line = co.lines[static_cast<std::size_t>(pick_line[ci](rng))];
        if (line.vfax_id == small_vfax) ++small_rows;
        if (ci == 0) ++big_rows;
        const bool inbound = u01(rng) < 0.55;
        const double r = u01(rng);
        const int pages = pages_d(rng);
        const bool t38 = u01(rng) < 0.8;
        const auto done_at = format_rfc3339(t + std::chrono::seconds(20 + 30 * pages));
        const auto id = new_id(t);
        const std::string remote = e164(rng);
        if (inbound) {
          const bool ok = r < 0.94;
          c.exec(
              "INSERT INTO faxes (id, direction, brand_id, company_id, virtual_fax_id, "
              "from_number, to_number, status, pages, bit_rate, ecm, transport, "
              "remote_station_id, failure_code, failure_message, document, created_at, "
              "updated_at, started_at, completed_at) "
              "VALUES (?, 'inbound', ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
              id, brand.id, co.id, line.vfax_id, remote, line.number, ok ? "received" : "failed",
              ok ? pages : pages / 3, 14400, 1, t38 ? "t38" : "g711", remote,
              ok ? std::nullopt : std::optional<std::string>("transfer_failed"),
              ok ? std::nullopt : std::optional<std::string>("partial: page 2 not received"),
              fmt::format("spool/inbound/{}.tiff", id), at, done_at, at, done_at);
          continue;
        }
        const char* status = r < 0.86   ? "delivered"
                             : r < 0.96 ? "failed"
                             : r < 0.99 ? "canceled"
                                        : "queued";
        const std::string st = status;
        const bool delivered = st == "delivered";
        const int calls = delivered ? 1 : (st == "failed" ? 3 : (st == "queued" ? 1 : 0));
        std::optional<std::string> code, msg;
        if (st == "failed") code = "busy", msg = "busy after 3 tries";
        if (st == "canceled") code = "canceled", msg = "canceled by the user";
        if (st == "queued") code = "no_answer", msg = "no answer";
        c.exec(
            "INSERT INTO faxes (id, direction, brand_id, company_id, virtual_fax_id, "
            "created_by, from_number, to_number, status, pages, pages_total, header, "
            "attempts, dials, bit_rate, ecm, transport, remote_station_id, failure_code, "
            "failure_message, document, created_at, updated_at, started_at, completed_at, "
            "next_attempt_at) "
            "VALUES (?, 'outbound', ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            id, brand.id, co.id, line.vfax_id, co.user_id, line.number, remote, st,
            delivered ? pages : 0, pages, "Bench", calls, calls,
            calls ? std::optional<int>(14400) : std::nullopt,
            calls ? std::optional<int>(1) : std::nullopt,
            calls ? std::optional<std::string>(t38 ? "t38" : "g711") : std::nullopt,
            delivered ? std::optional<std::string>(remote) : std::nullopt, code, msg,
            fmt::format("spool/outbound/{}.tiff", id), at, done_at,
            calls ? std::optional<std::string>(at) : std::nullopt,
            st == "queued" ? std::nullopt : std::optional<std::string>(done_at),
            st == "queued" ? std::optional<std::string>(far) : std::nullopt);
        for (int k = 0; k < calls; ++k) {
          const bool last = k == calls - 1;
          const auto a_at = format_rfc3339(t + std::chrono::minutes(5 * k));
          c.exec(
              "INSERT INTO fax_attempts (id, fax_id, carrier_name, transport, ecm, "
              "bit_rate, pages, sip_status, result, failure_code, failure_message, "
              "started_at, ended_at, created_at, updated_at) "
              "VALUES (?,?, 'Carrier A', ?, 1, 14400, ?,?,?,?,?,?,?,?,?)",
              new_id(t + std::chrono::minutes(5 * k)), id, t38 ? "t38" : "g711",
              delivered && last ? pages : 0, delivered && last ? 200 : 486,
              delivered && last ? "delivered" : "failed",
              delivered && last ? std::nullopt : std::optional<std::string>("busy"),
              delivered && last ? std::nullopt : std::optional<std::string>("busy"), a_at, a_at,
              a_at, a_at);
        }
      }
    }),
         "insert");
    done = upto;
    if (done % 200000 == 0 || done == total)
      fmt::print(stderr, "api_seed: {} faxes ({:.1f} s)\n", done,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }

  if (!env_path.empty()) {
    std::ofstream out(env_path);
    out << fmt::format(
        "BIG_TOKEN={}\nSMALL_TOKEN={}\nSMALL_VFAX={}\nBIG_COMPANY={}\nBIG_ROWS={}\n"
        "SMALL_ROWS={}\nTOTAL_ROWS={}\n",
        big_token.token, small_token.token, small_vfax, companies[0].id, big_rows, small_rows,
        total);
  }
  fmt::print(stderr, "api_seed: done: {} faxes, big company {}, small desk {}\n", total, big_rows,
             small_rows);
  return 0;
}
