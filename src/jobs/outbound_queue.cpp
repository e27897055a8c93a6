#include "faxd/jobs/outbound_queue.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "faxd/common/time.hpp"
#include "faxd/numbers/phone_number.hpp"
#include "faxd/sip/sip_engine.hpp"
#include "faxd/store/mail_outbox_repo.hpp"

namespace faxd::jobs {

struct OutboundQueue::Live {
  store::Fax fax;
  FaxMode mode = FaxMode::t38_ecm;
  std::vector<CarrierTarget> carriers;  // failover order for this attempt
  std::size_t next = 0;                 // index of the next carrier to try
  std::optional<CarrierTarget> current;
  std::string attempt_id;
  std::shared_ptr<sip::CallHandle> call;
  int pages_done = 0;
  bool cancel_requested = false;
  std::string last_message;
  std::optional<sip::CallOutcome> unrecorded;  // the call ended; the store did not take it
  std::optional<store::AttemptEnd> unrecorded_attempt;
  SysTime lease_renewed_at{};  // when the claim was last taken or extended
  std::string document;        // the TIFF to send, as a local path
};

namespace {

// A write the store took, or one that no retry can help (the fax was deleted meanwhile).
template <class T>
bool stored(const Result<T>& r) {
  return r || r.error().code == Errc::not_found;
}
std::optional<std::string> transport_name(fax::Transport t) {
  if (t == fax::Transport::none) return std::nullopt;
  return std::string(fax::to_string(t));
}

// A carrier that could not even connect: the next one of the same attempt may.
bool connect_failure(const sip::CallOutcome& o) {
  if (o.fax) return false;
  return o.failure == FailureCode::carrier_unreachable ||
         (o.sip_status >= 500 && o.sip_status < 600);
}
}  // namespace

OutboundQueue::OutboundQueue(store::FaxRepo& faxes, store::DestinationRepo& destinations,
                             RoutePlanner& planner, Dialer& dialer, IdentityLookup identity,
                             const Clock& clock, QueueOptions options)
    : faxes_(faxes),
      destinations_(destinations),
      planner_(planner),
      dialer_(dialer),
      identity_(std::move(identity)),
      clock_(clock),
      options_(std::move(options)) {}

OutboundQueue::~OutboundQueue() = default;

void OutboundQueue::poll() {
  for (auto it = live_.begin(); it != live_.end();) {
    const auto live = it->second;
    if (live->unrecorded && record_end(live, *live->unrecorded)) {
      spdlog::info("queue.end_recorded fax={}", live->fax.id);
      it = live_.erase(it);
    } else {
      ++it;
    }
  }
  const int free = options_.max_concurrent - static_cast<int>(live_.size());
  if (free <= 0) return;
  auto claimed = faxes_.claim_due(options_.node_id, clock_.now() + options_.lease, free);
  if (!claimed) {
    spdlog::error("queue.claim_failed error={}", claimed.error().message);
    return;
  }
  for (auto& fax : *claimed) start(std::move(fax));
}

void OutboundQueue::renew_leases() {
  // One row write per live fax: done only once half the lease has run, not on every call (at a
  // thousand calls, renewing each second was a thousand SQLite writes a second on this thread).
  const auto now = clock_.now();
  for (const auto& [id, live] : live_) {
    if (now - live->lease_renewed_at < options_.lease / 2) continue;
    if (faxes_.extend_claim(id, options_.node_id, now + options_.lease)) {
      live->lease_renewed_at = now;
    }
  }
}

bool OutboundQueue::cancel(const std::string& fax_id) {
  auto it = live_.find(fax_id);
  if (it == live_.end()) return false;
  it->second->cancel_requested = true;
  if (it->second->call) it->second->call->cancel();
  return true;
}

LadderEntry OutboundQueue::ladder_entry(const std::string& number) {
  LadderEntry e;
  auto r = destinations_.record(number);
  if (!r || !*r) return e;
  const auto& rec = **r;
  e.mode = parse_fax_mode(rec.mode).value_or(FaxMode::t38_ecm);
  e.strikes = rec.strikes;
  if (rec.last_strike_at) e.last_strike_at = parse_rfc3339(*rec.last_strike_at);
  if (rec.stepped_at) e.stepped_at = parse_rfc3339(*rec.stepped_at);
  return e;
}

FaxMode OutboundQueue::mode_for(const std::string& number) {
  return ladder_mode(ladder_entry(number), options_.ladder, clock_.now());
}

void OutboundQueue::learn(const std::string& number, const LadderEvent& event) {
  const LadderEntry before = ladder_entry(number);
  const LadderEntry after = ladder_after(before, options_.ladder, event, clock_.now());
  if (after.mode != before.mode) {
    spdlog::info("queue.ladder number={} from={} to={} used={} ok={} cause={} local_overload={}",
                 number, to_string(before.mode), to_string(after.mode), to_string(event.used),
                 event.ok, event.ok ? "none" : to_string(event.cause), event.local_overload);
  }
  store::DestinationRecord rec{.mode = std::string(to_string(after.mode)),
                               .strikes = after.strikes};
  if (after.last_strike_at) rec.last_strike_at = format_rfc3339(*after.last_strike_at);
  if (after.stepped_at) rec.stepped_at = format_rfc3339(*after.stepped_at);
  (void)destinations_.save(number, rec);
}

void OutboundQueue::start(store::Fax fax) {
  auto live = std::make_shared<Live>();
  live->fax = std::move(fax);
  live->lease_renewed_at = clock_.now();  // claim_due took the lease just now
  live->mode = mode_for(live->fax.to_number);
  if (live->fax.from_number.empty()) {
    // Carriers reject calls without a caller id (or present them as anonymous): never dial one.
    spdlog::warn("queue.no_caller_id fax={}", live->fax.id);
    (void)faxes_.finish(live->fax.id, store::FaxStatus::failed, {}, FailureCode::no_route,
                        "no caller id: give the virtual fax or its company an outgoing DDI");
    return;
  }
  auto plan =
      planner_.plan(live->fax.brand_id, live->fax.company_id, live->fax.to_number, carrier_calls_);
  if (plan && plan->tenant_disabled) {
    // Kept queued, not dialled and not counted: it goes once the tenant is switched on again.
    spdlog::info("queue.tenant_disabled fax={} company={}", live->fax.id, live->fax.company_id);
    (void)faxes_.requeue(live->fax.id, clock_.now() + options_.disabled_wait,
                         FailureCode::tenant_disabled, plan->tenant_message, false,
                         /*dialed=*/false);
    return;
  }
  if (plan && plan->all_full) {
    spdlog::info("queue.carriers_busy fax={}", live->fax.id);
    (void)faxes_.requeue(live->fax.id, clock_.now() + options_.capacity_wait, FailureCode::busy,
                         "every carrier is at its call limit", false, /*dialed=*/false);
    return;
  }
  if (!plan || plan->carriers.empty()) {
    const auto message = plan ? std::string("no outgoing route for ") + live->fax.to_number
                              : "route lookup failed: " + plan.error().message;
    spdlog::warn("queue.no_route fax={} to={}", live->fax.id, live->fax.to_number);
    (void)faxes_.finish(live->fax.id, store::FaxStatus::failed, {}, FailureCode::no_route, message);
    return;
  }
  const std::string document = live->fax.document.value_or("");
  auto located =
      options_.locate
          ? options_.locate(document)
          : Result<std::filesystem::path>(std::filesystem::path(options_.spool_dir) / document);
  if (!located) {
    // Gone for good: fail the fax; unreadable for now (the store is down): try again later.
    spdlog::error("queue.document_unavailable fax={} error={}", live->fax.id,
                  located.error().message);
    if (located.error().code == Errc::not_found)
      (void)faxes_.finish(live->fax.id, store::FaxStatus::failed, {}, FailureCode::internal,
                          "the document is missing");
    else
      (void)faxes_.requeue(live->fax.id, clock_.now() + options_.capacity_wait,
                           FailureCode::internal, "the document cannot be read now", false,
                           /*dialed=*/false);
    return;
  }
  live->document = located->string();
  live->carriers = std::move(plan->carriers);
  live_[live->fax.id] = live;
  dial_next(live);
}

void OutboundQueue::dial_next(const std::shared_ptr<Live>& live) {
  live->current = live->carriers[live->next++];
  const auto& carrier = *live->current;
  auto attempt = faxes_.reserve_attempt(live->fax.id, carrier.id, carrier.name, carrier.max_calls);
  if (attempt && !*attempt) {
    // Full with the calls of other nodes sharing the store: the next carrier, else wait.
    spdlog::info("queue.carrier_full fax={} carrier={}", live->fax.id, carrier.name);
    if (live->next < live->carriers.size()) return dial_next(live);
    (void)faxes_.requeue(live->fax.id, clock_.now() + options_.capacity_wait, FailureCode::busy,
                         "every carrier is at its call limit", false, /*dialed=*/false);
    live_.erase(live->fax.id);
    return;
  }
  ++carrier_calls_[carrier.id];
  live->attempt_id = attempt ? **attempt : std::string{};
  const auto settings = settings_for(live->mode);
  const auto who = identity_ ? identity_(live->fax) : SenderIdentity{};
  DialRequest req;
  req.carrier = carrier;
  const auto format =
      numbers::parse_dial_format(carrier.number_format).value_or(numbers::DialFormat::e164);
  req.from_number = numbers::for_carrier(live->fax.from_number, format, carrier.country);
  req.to_number =
      carrier.dial_prefix + numbers::for_carrier(live->fax.to_number, format, carrier.country);
  req.t38 = settings.t38 && carrier.t38;
  req.job.direction = fax::Direction::send;
  req.job.tiff_path = live->document;
  req.job.local_station_id = who.station_id.empty() ? live->fax.from_number : who.station_id;
  req.job.header = live->fax.header.empty() ? who.header : live->fax.header;
  req.timezone = who.timezone;
  req.language = who.language;
  req.job.ecm = settings.ecm && options_.ecm;
  req.job.max_bit_rate = settings.max_bit_rate;
  req.job.call_id =
      live->fax.id.substr(live->fax.id.size() - 10) + "-" + std::to_string(live->next);
  spdlog::info("queue.dial fax={} carrier={} to={} dialled={} mode={}", live->fax.id, carrier.name,
               live->fax.to_number, req.to_number, to_string(live->mode));
  std::weak_ptr<Live> weak = live;
  live->call =
      dialer_.dial(std::move(req), sip::CallCallbacks{.on_progress =
                                                          [this, weak](const sip::CallProgress& p) {
                                                            if (auto l = weak.lock())
                                                              on_progress(l, p);
                                                          },
                                                      .on_end =
                                                          [this, weak](const sip::CallOutcome& o) {
                                                            if (auto l = weak.lock()) on_end(l, o);
                                                          }});
}

void OutboundQueue::on_progress(const std::shared_ptr<Live>& live, const sip::CallProgress& p) {
  if (p.kind == sip::CallProgress::Kind::answered && !live->attempt_id.empty()) {
    (void)faxes_.attempt_answered(live->attempt_id);  // billing starts here
    return;
  }
  if (p.kind != sip::CallProgress::Kind::page && p.kind != sip::CallProgress::Kind::transport)
    return;
  if (p.kind == sip::CallProgress::Kind::page) live->pages_done = p.pages_done;
  (void)faxes_.record_progress(
      live->fax.id, {.pages = live->pages_done,
                     .transport = transport_name(p.transport),
                     .remote_station_id = p.remote_station_id.empty()
                                              ? std::nullopt
                                              : std::optional<std::string>(p.remote_station_id)});
}

void OutboundQueue::on_end(const std::shared_ptr<Live>& live, const sip::CallOutcome& o) {
  if (live->current) --carrier_calls_[live->current->id];
  const int pages = o.fax ? o.fax->pages : live->pages_done;
  store::AttemptEnd end{
      .result = o.ok ? "delivered" : (live->cancel_requested ? "canceled" : "failed"),
      .failure = o.ok ? std::nullopt : std::optional<FailureCode>(o.failure),
      .message = o.message,
      .sip_status = o.sip_status ? std::optional<int>(o.sip_status) : std::nullopt,
      .transport = transport_name(o.transport),
      .ecm = o.fax ? std::optional<bool>(o.fax->ecm) : std::nullopt,
      .bit_rate = o.fax && o.fax->bit_rate ? std::optional<int>(o.fax->bit_rate) : std::nullopt,
      .pages = pages};
  const bool attempt_recorded =
      live->attempt_id.empty() || stored(faxes_.end_attempt(live->attempt_id, end));
  live->call.reset();
  spdlog::info("queue.call_ended fax={} ok={} failure={} sip={} message=\"{}\"", live->fax.id, o.ok,
               o.ok ? "none" : to_string(o.failure), o.sip_status, o.message);
  if (!o.ok && !live->cancel_requested && connect_failure(o) &&
      live->next < live->carriers.size()) {
    live->last_message = o.message;
    dial_next(live);  // failover within the same attempt
    return;
  }
  if (!attempt_recorded) live->unrecorded_attempt = end;
  if (!record_end(live, o)) {
    // Kept live (its lease renewed) and retried by poll(): the fax must not stay `sending`.
    spdlog::error("queue.end_not_recorded fax={} ok={} (the store refused it; retrying)",
                  live->fax.id, o.ok);
    live->unrecorded = o;
    return;
  }
  live_.erase(live->fax.id);
}

bool OutboundQueue::record_end(const std::shared_ptr<Live>& live, const sip::CallOutcome& o) {
  if (live->unrecorded_attempt) {
    if (!stored(faxes_.end_attempt(live->attempt_id, *live->unrecorded_attempt))) return false;
    live->unrecorded_attempt.reset();
  }
  return conclude(live, o);
}

// Queues the sender's notification (if its virtual fax asks for one) with the fax's end.
static store::FaxRepo::InTransaction notify(std::string_view kind, SysTime now) {
  return [kind = std::string(kind), now](store::Conn& c, const store::Fax& f) {
    store::MailOutboxRepo::enqueue_for_fax(c, f.id, kind, now);
  };
}

bool OutboundQueue::conclude(const std::shared_ptr<Live>& live, const sip::CallOutcome& o) {
  const auto& fax = live->fax;
  const bool reached_fax = o.fax.has_value() && o.sip_status == 200;
  store::TransferStats stats{
      .pages = o.fax ? o.fax->pages : live->pages_done,
      .bit_rate = o.fax && o.fax->bit_rate ? std::optional<int>(o.fax->bit_rate) : std::nullopt,
      .ecm = o.fax ? std::optional<bool>(o.fax->ecm) : std::nullopt,
      .transport = transport_name(o.transport),
      .remote_station_id = o.fax && !o.fax->remote_station_id.empty()
                               ? std::optional<std::string>(o.fax->remote_station_id)
                               : std::nullopt};
  if (o.ok) {
    if (!stored(faxes_.finish(fax.id, store::FaxStatus::delivered, stats, std::nullopt, "", true,
                              notify("fax_delivered", clock_.now()))))
      return false;
    learn(fax.to_number, {.used = live->mode, .ok = true});
    return true;
  }
  if (live->cancel_requested || o.failure == FailureCode::canceled) {
    return stored(faxes_.finish(fax.id, store::FaxStatus::canceled, stats, FailureCode::canceled,
                                "canceled by the user", reached_fax));
  }
  if (reached_fax) {
    learn(fax.to_number, {.used = live->mode,
                          .ok = false,
                          .cause = o.failure,
                          .reached_fax = true,
                          .local_overload = o.fax && o.fax->local_overload});
  }
  const RetryState state{
      .dials = fax.dials,
      .tries = fax.attempts + (reached_fax ? 1 : 0),
      // A scheduled fax's kill time counts from when it was to go.
      .created_at = parse_rfc3339(fax.send_at.value_or(fax.created_at)).value_or(clock_.now())};
  const auto decision = decide_retry(options_.retry, {o.failure, reached_fax}, state, clock_.now());
  if (decision.retry) {
    if (!stored(
            faxes_.requeue(fax.id, decision.next_attempt_at, o.failure, o.message, reached_fax)))
      return false;
    ++retries_;
    return true;
  }
  // Final causes speak for themselves; otherwise say why the retries stopped.
  const bool final_cause = !retry_delay(options_.retry, o.failure);
  const auto message = final_cause || decision.reason.empty()
                           ? o.message
                           : (o.message.empty() ? "" : o.message + "; ") +
                                 "gave up: " + std::string(decision.reason);
  return stored(faxes_.finish(fax.id, store::FaxStatus::failed, stats, o.failure, message,
                              reached_fax, notify("fax_failed", clock_.now())));
}

}  // namespace faxd::jobs
