#include "fax_metrics.hpp"

#include <string>

namespace faxd::app {

FaxMetrics::FaxMetrics(metrics::Registry& registry)
    : faxes_(registry.counter("faxd_faxes_total",
                              "Faxes that reached a final state, by direction and result",
                              {"direction", "result"})),
      failures_(registry.counter("faxd_fax_failures_total",
                                 "Failed faxes by direction and failure code (api.md)",
                                 {"direction", "reason"})),
      pages_(registry.counter("faxd_fax_pages_total", "Pages sent or received, by direction",
                              {"direction"})),
      calls_(registry.counter(
          "faxd_calls_total",
          "Fax calls by direction and result: outbound per carrier attempt (completed or the "
          "failure code), inbound answered or rejected_<SIP status>",
          {"direction", "result"})),
      retries_(
          registry.counter("faxd_retries_total", "Retries scheduled by the outbound queue").get()) {
  // Present from the start, so that rate() works before the first fax.
  for (const char* result : {"delivered", "failed", "canceled"}) faxes_.with({"outbound", result});
  for (const char* result : {"received", "failed"}) faxes_.with({"inbound", result});
  for (const char* direction : {"outbound", "inbound"}) pages_.with({direction});
  calls_.with({"outbound", "completed"});
  calls_.with({"inbound", "answered"});
}

void FaxMetrics::fax_finished(const store::Fax& fax) {
  faxes_.with({fax.direction, std::string(store::to_string(fax.status))}).inc();
  if (fax.status == store::FaxStatus::failed)
    failures_.with({fax.direction, fax.failure_code.value_or("unknown")}).inc();
  if (fax.pages > 0) pages_.with({fax.direction}).inc(static_cast<std::uint64_t>(fax.pages));
}

void FaxMetrics::attempt_ended(const store::AttemptEnd& end) {
  const std::string result =
      end.failure ? std::string(to_string(*end.failure))
                  : (end.result == "delivered" ? std::string("completed") : end.result);
  calls_.with({"outbound", result}).inc();
}

void FaxMetrics::fax_requeued(const store::Fax&) {
  retries_.inc();
}

void FaxMetrics::inbound_call(int status) {
  calls_.with({"inbound", status == 0 ? "answered" : "rejected_" + std::to_string(status)}).inc();
}

void InboundCallCounter::on_inbound_invite(const sip::InboundCall& call, sip::Decide decide) {
  handler_.on_inbound_invite(call, [this, decide = std::move(decide)](sip::InboundDecision d) {
    metrics_.inbound_call(d.status);
    decide(std::move(d));
  });
}

}  // namespace faxd::app
