#pragma once
// One UDP socket of a call (RTP or UDPTL) on the media thread's io_context.
//
// Bound at call set-up (any thread, before start()); from start() on every call happens on the
// media thread. Datagrams go to the receiver as views of a fixed buffer (no allocation per packet;
// Asio recycles its handler memory). Once a remote is set, datagrams from other addresses are
// dropped. Sends are synchronous non-blocking send_to: a full socket buffer drops the packet, as
// a real-time medium should. Ownership: shared (the pending receive keeps it alive until close()).
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "faxd/common/error.hpp"

namespace faxd::media {

class UdpEndpoint : public std::enable_shared_from_this<UdpEndpoint> {
 public:
  using Receiver = std::function<void(std::span<const std::uint8_t>)>;

  // Opens and binds `address:port`; fails with Errc::io when the port is taken.
  static Result<std::shared_ptr<UdpEndpoint>> open(boost::asio::io_context& io,
                                                   const std::string& address, std::uint16_t port);

  // Where send() goes; also filters received datagrams by source address.
  Result<void> set_remote(const std::string& address, std::uint16_t port);
  // Symmetric media (behind NAT): after set_remote, the first datagram from anywhere latches
  // the remote to its source address and port; from then on as above.
  void set_symmetric(bool on) { symmetric_ = on; }
  bool latched() const { return latched_; }
  // Starts the receive loop; `receiver` is called on the media thread.
  void start(Receiver receiver);
  void send(std::span<const std::uint8_t> datagram);
  void close();

  std::uint16_t local_port() const { return local_port_; }
  std::uint64_t received() const { return received_; }
  std::uint64_t sent() const { return sent_; }

  explicit UdpEndpoint(boost::asio::io_context& io);  // use open()

 private:
  void do_receive();

  boost::asio::ip::udp::socket socket_;
  boost::asio::ip::udp::endpoint sender_;
  std::optional<boost::asio::ip::udp::endpoint> remote_;
  std::uint16_t local_port_ = 0;
  Receiver receiver_;
  bool closed_ = false;
  bool symmetric_ = false;
  bool latched_ = false;
  std::uint64_t received_ = 0;
  std::uint64_t sent_ = 0;
  std::array<std::uint8_t, 2048> buffer_{};
};

}  // namespace faxd::media
