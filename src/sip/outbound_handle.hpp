#pragma once
// OutboundHandle: the CallHandle dial() returns (internal to faxd_sip). Holds only the call id
// and a weak reference to the engine: cancel() may be called from any thread and after the end.
#include <boost/asio/post.hpp>
#include <memory>
#include <string>

#include "engine_impl.hpp"

namespace faxd::sip {

class OutboundHandle final : public CallHandle {
 public:
  OutboundHandle(std::string id, std::weak_ptr<SipEngine::Impl> impl, asio::io_context* io)
      : id_(std::move(id)), impl_(std::move(impl)), io_(io) {}
  const std::string& call_id() const override { return id_; }
  void cancel() override {
    asio::post(*io_, [impl = impl_, id = id_] {
      if (auto self = impl.lock()) self->cancel_call(id);
    });
  }

 private:
  std::string id_;
  std::weak_ptr<SipEngine::Impl> impl_;
  asio::io_context* io_;
};

}  // namespace faxd::sip
