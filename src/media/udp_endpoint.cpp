#include "faxd/media/udp_endpoint.hpp"

#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>

namespace faxd::media {

namespace asio = boost::asio;
using asio::ip::udp;

UdpEndpoint::UdpEndpoint(asio::io_context& io) : socket_(io) {}

Result<std::shared_ptr<UdpEndpoint>> UdpEndpoint::open(asio::io_context& io,
                                                       const std::string& address,
                                                       std::uint16_t port) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return fail(Errc::invalid_argument, fmt::format("bad media address '{}'", address));
  auto ep = std::make_shared<UdpEndpoint>(io);
  const udp::endpoint local(ip, port);
  ep->socket_.open(local.protocol(), ec);
  if (!ec) ep->socket_.bind(local, ec);
  if (!ec) ep->socket_.non_blocking(true, ec);
  if (ec) {
    return fail(Errc::io, fmt::format("cannot bind UDP {}:{}: {}", address, port, ec.message()));
  }
  ep->local_port_ = ep->socket_.local_endpoint(ec).port();
  return ep;
}

Result<void> UdpEndpoint::set_remote(const std::string& address, std::uint16_t port) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec || port == 0) {
    return fail(Errc::invalid_argument,
                fmt::format("bad remote media address '{}:{}'", address, port));
  }
  remote_ = udp::endpoint(ip, port);
  latched_ = false;
  return {};
}

void UdpEndpoint::start(Receiver receiver) {
  receiver_ = std::move(receiver);
  do_receive();
}

void UdpEndpoint::do_receive() {
  if (closed_) return;
  socket_.async_receive_from(
      asio::buffer(buffer_), sender_,
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
        if (ec == asio::error::operation_aborted || self->closed_) return;
        if (!ec && self->symmetric_ && self->remote_ && !self->latched_) {
          self->remote_ = self->sender_;  // send where the peer's packets come from
          self->latched_ = true;
        }
        if (!ec && self->receiver_ &&
            (!self->remote_ || self->remote_->address() == self->sender_.address())) {
          ++self->received_;
          self->receiver_(std::span<const std::uint8_t>(self->buffer_.data(), n));
        }
        self->do_receive();
      });
}

void UdpEndpoint::send(std::span<const std::uint8_t> datagram) {
  if (closed_ || !remote_) return;
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(datagram.data(), datagram.size()), *remote_, 0, ec);
  if (!ec) ++sent_;
}

void UdpEndpoint::close() {
  if (closed_) return;
  // receiver_ stays: close() may run while it is on the stack; the loop checks closed_ first.
  closed_ = true;
  boost::system::error_code ec;
  socket_.close(ec);
}

}  // namespace faxd::media
