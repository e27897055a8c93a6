#include "header_dialer.hpp"

#include <atomic>
#include <filesystem>
#include <mutex>

#include <spdlog/spdlog.h>

#include "faxd/document/render.hpp"
#include "faxd/jobs/page_header.hpp"
#include "faxd/sip/sip_engine.hpp"

namespace faxd::app {

namespace {

// The handle the queue holds while the copy is being made; forwards to the real call after.
class PendingCall final : public sip::CallHandle {
 public:
  explicit PendingCall(std::string call_id) : call_id_(std::move(call_id)) {}
  const std::string& call_id() const override { return call_id_; }
  void cancel() override {
    std::shared_ptr<sip::CallHandle> call;
    {
      std::lock_guard lock(mutex_);
      canceled_ = true;
      call = call_;
    }
    if (call) call->cancel();
  }
  // False when canceled before the call existed (the call is then not placed).
  bool attach(std::shared_ptr<sip::CallHandle> call) {
    std::lock_guard lock(mutex_);
    call_ = std::move(call);
    return !canceled_;
  }
  bool canceled() const {
    std::lock_guard lock(mutex_);
    return canceled_;
  }

 private:
  std::string call_id_;
  mutable std::mutex mutex_;
  bool canceled_ = false;
  std::shared_ptr<sip::CallHandle> call_;
};

}  // namespace

std::shared_ptr<sip::CallHandle> HeaderDialer::dial(jobs::DialRequest request,
                                                    sip::CallCallbacks callbacks) {
  if (request.job.header.empty()) return inner_.dial(std::move(request), std::move(callbacks));
  auto pending = std::make_shared<PendingCall>(request.job.call_id);
  const auto copy = spool_.new_temp(clock_.now(), ".tiff");
  const jobs::HeaderContext context{.header = request.job.header,
                                    .from_number = request.from_number,
                                    .when = clock_.now(),
                                    .timezone = request.timezone,
                                    .language = request.language};
  to_workers_([this, pending, copy, context, request = std::move(request),
               callbacks = std::move(callbacks)]() mutable {
    auto stamped = document::stamp_page_headers(
        request.job.tiff_path, copy.string(),
        [&](int n, int m) { return jobs::page_header_line(context, n, m); });
    to_control_([this, pending, copy, ok = bool(stamped),
                 error = stamped ? std::string() : stamped.error().message,
                 request = std::move(request), callbacks = std::move(callbacks)]() mutable {
      auto remove_copy = [copy] {
        std::error_code ec;
        std::filesystem::remove(copy, ec);
      };
      if (pending->canceled()) {
        remove_copy();
        sip::CallOutcome outcome;
        outcome.failure = FailureCode::canceled;
        outcome.message = "canceled before the call";
        if (callbacks.on_end) callbacks.on_end(outcome);
        return;
      }
      if (ok) {
        request.job.tiff_path = copy.string();
        request.job.header.clear();  // drawn already; spandsp must not add its own
      } else {
        spdlog::warn("queue.header_not_drawn call={} error=\"{}\" (spandsp's header instead)",
                     request.job.call_id, error);
      }
      auto on_end = std::move(callbacks.on_end);
      callbacks.on_end = [remove_copy, on_end](const sip::CallOutcome& o) {
        remove_copy();
        if (on_end) on_end(o);
      };
      auto call = inner_.dial(std::move(request), std::move(callbacks));
      if (!pending->attach(call) && call) call->cancel();
    });
  });
  return pending;
}

}  // namespace faxd::app
