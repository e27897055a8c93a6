#pragma once
// A Dialer in front of the SIP dialer that draws the page header line (jobs/page_header.hpp)
// onto a copy of the document before the call, so the header shows any language in a real font
// (spandsp's own header font is ASCII only), dated when the call is placed.
//
// The copy is made on the worker pool (it decodes and codes every page) and the call is placed
// from the control thread when it is ready; a cancel before then ends the call as canceled
// without dialling. The copy is removed when the call ends. A document that cannot be stamped is
// sent with spandsp's header instead (logged), never not at all.
//
// Threads: dial() and every callback on the control thread; the handle's cancel() on any.
#include <functional>
#include <memory>

#include "faxd/common/clock.hpp"
#include "faxd/jobs/outbound_queue.hpp"
#include "faxd/jobs/spool.hpp"

namespace faxd::app {

class HeaderDialer final : public jobs::Dialer {
 public:
  using Post = std::function<void(std::function<void()>)>;
  HeaderDialer(jobs::Dialer& inner, const jobs::Spool& spool, const Clock& clock, Post to_workers,
               Post to_control)
      : inner_(inner),
        spool_(spool),
        clock_(clock),
        to_workers_(std::move(to_workers)),
        to_control_(std::move(to_control)) {}

  std::shared_ptr<sip::CallHandle> dial(jobs::DialRequest request,
                                        sip::CallCallbacks callbacks) override;

 private:
  jobs::Dialer& inner_;
  const jobs::Spool& spool_;
  const Clock& clock_;
  Post to_workers_;
  Post to_control_;
};

}  // namespace faxd::app
