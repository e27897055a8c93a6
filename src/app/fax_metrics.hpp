#pragma once
// Counters of faxes, calls, pages and retries for /metrics.
//
// FaxMetrics hears every committed change that matters from the fax repository (a fax reaching
// a final state, an outbound call attempt ending, a retry being scheduled); InboundCallCounter
// sits in front of the inbound CallHandler to count inbound calls answered or rejected.
//
// Threads: the repository calls it from the thread that made the change (control thread or a
// worker); counters are atomics. Ownership: the App owns both; FaxMetrics must outlive the
// FaxRepo, InboundCallCounter the SipEngine, and the CallHandler it wraps must outlive it.
#include "faxd/common/metrics.hpp"
#include "faxd/sip/sip_engine.hpp"
#include "faxd/store/fax_repo.hpp"

namespace faxd::app {

class FaxMetrics final : public store::FaxListener {
 public:
  explicit FaxMetrics(metrics::Registry& registry);

  void fax_finished(const store::Fax& fax) override;
  void attempt_ended(const store::AttemptEnd& end) override;
  void fax_requeued(const store::Fax& fax) override;
  // An inbound INVITE was answered (status 0) or rejected with `status`.
  void inbound_call(int status);

 private:
  metrics::Family<metrics::Counter>& faxes_;     // faxd_faxes_total{direction,result}
  metrics::Family<metrics::Counter>& failures_;  // faxd_fax_failures_total{direction,reason}
  metrics::Family<metrics::Counter>& pages_;     // faxd_fax_pages_total{direction}
  metrics::Family<metrics::Counter>& calls_;     // faxd_calls_total{direction,result}
  metrics::Counter& retries_;                    // faxd_retries_total
};

class InboundCallCounter final : public sip::CallHandler {
 public:
  InboundCallCounter(FaxMetrics& metrics, sip::CallHandler& handler)
      : metrics_(metrics), handler_(handler) {}
  void on_inbound_invite(const sip::InboundCall& call, sip::Decide decide) override;

 private:
  FaxMetrics& metrics_;
  sip::CallHandler& handler_;
};

}  // namespace faxd::app
