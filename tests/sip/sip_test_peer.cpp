// sip_test_peer: runs SipEngine on loopback with the fake media engine and a fixed CallHandler,
// for the SIPp integration tests (tests/integration/test_sip.py).
//
//   sip_test_peer --listen 127.0.0.1:5070 [--allow 127.0.0.1]... [--ddi 100]... [--slow-ddi 200]
//                 [--reinvite-after-s 1] [--no-t38] [--fax-ms 1500] [--calls 1] [--max-s 30]
//                 [--dial 127.0.0.1:5080 --to 555 [--from 100] [--tcp] [--user U --password P]
//                  [--carrier-no-t38] [--cancel-after-ms N] [--ring-timeout-s N]]
//                 [--media real --media-ports 20000-20099 --tiff SEND.tif --rx RECEIVED.tif]
//                 [--public ADDRESS]
//
// With `--media real` the calls run on faxd's real media engine (spandsp, RTP/UDPTL), so two
// peers can fax each other end to end; otherwise the fake engine of tests/unit/sip is used.
//
// Prints to stdout one line per media event ("MEDIA start_t38 call=... max_datagram=176") and
// per ended call ("OUTCOME call=ID ok=1 failure=none sip_status=200 transport=t38 pages=1"),
// logs to stderr, and exits 0 after --calls calls ended (2 when --max-s passed first).
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "fake_media_engine.hpp"
#include "faxd/common/clock.hpp"
#include "faxd/common/log.hpp"
#include "faxd/config/config.hpp"
#include "faxd/fax/media_engine.hpp"
#include "faxd/sip/sip_engine.hpp"

namespace {

using namespace faxd;

struct Args {
  std::string listen = "127.0.0.1:5070";
  std::vector<std::string> allow;
  std::set<std::string> ddis;
  std::set<std::string> slow_ddis;
  int reinvite_after_s = 2;
  bool t38 = true;
  int fax_ms = 1500;
  int calls = 1;
  int max_s = 30;
  std::string dial;
  std::string to = "555";
  std::string from = "100";
  bool tcp = false;
  std::string user;
  std::string password;
  bool carrier_t38 = true;
  int cancel_after_ms = -1;
  int ring_timeout_s = 60;
  bool real_media = false;
  std::string media_ports = "20000-20099";
  std::string tiff = "/tmp/none.tif";
  std::string rx = "/tmp/sip_test_peer_rx.tif";
  std::string public_address;
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "missing value for " << k << "\n";
        std::exit(64);
      }
      return argv[++i];
    };
    if (k == "--listen")
      a.listen = next();
    else if (k == "--allow")
      a.allow.push_back(next());
    else if (k == "--ddi")
      a.ddis.insert(next());
    else if (k == "--slow-ddi")
      a.slow_ddis.insert(next());
    else if (k == "--reinvite-after-s")
      a.reinvite_after_s = std::stoi(next());
    else if (k == "--no-t38")
      a.t38 = false;
    else if (k == "--fax-ms")
      a.fax_ms = std::stoi(next());
    else if (k == "--calls")
      a.calls = std::stoi(next());
    else if (k == "--max-s")
      a.max_s = std::stoi(next());
    else if (k == "--dial")
      a.dial = next();
    else if (k == "--to")
      a.to = next();
    else if (k == "--from")
      a.from = next();
    else if (k == "--tcp")
      a.tcp = true;
    else if (k == "--user")
      a.user = next();
    else if (k == "--password")
      a.password = next();
    else if (k == "--carrier-no-t38")
      a.carrier_t38 = false;
    else if (k == "--cancel-after-ms")
      a.cancel_after_ms = std::stoi(next());
    else if (k == "--ring-timeout-s")
      a.ring_timeout_s = std::stoi(next());
    else if (k == "--media")
      a.real_media = next() == "real";
    else if (k == "--media-ports")
      a.media_ports = next();
    else if (k == "--tiff")
      a.tiff = next();
    else if (k == "--rx")
      a.rx = next();
    else if (k == "--public")
      a.public_address = next();
    else {
      std::cerr << "unknown option " << k << "\n";
      std::exit(64);
    }
  }
  return a;
}

void print_line(const std::string& line) {
  std::cout << line << std::endl;  // flushed: the test reads it live
}

std::string transport_name(fax::Transport t) {
  return t == fax::Transport::t38 ? "t38" : t == fax::Transport::g711 ? "g711" : "none";
}

class Peer final : public sip::CallHandler {
 public:
  Peer(boost::asio::io_context& io, const Args& args) : io_(io), args_(args) {}

  void on_inbound_invite(const sip::InboundCall& call, sip::Decide decide) override {
    const std::string& number = call.called_number;
    print_line(fmt::format("INVITE call={} source={} number={} from={}", call.call_id,
                           call.source_address, number, call.from_user));
    const bool slow = args_.slow_ddis.contains(number);
    if (!slow && !args_.ddis.contains(number)) {
      decide(sip::InboundDecision::reject(404));
      return;
    }
    fax::FaxJob job;
    job.direction = fax::Direction::receive;
    job.tiff_path = args_.rx;
    job.local_station_id = "FAXD TEST";
    auto d = sip::InboundDecision::accept(job, callbacks());
    if (!slow) {
      decide(std::move(d));
      return;
    }
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::seconds(3));
    timer->async_wait(
        [timer, decide, d](const boost::system::error_code&) mutable { decide(std::move(d)); });
  }

  sip::CallCallbacks callbacks() {
    sip::CallCallbacks cb;
    cb.on_progress = [](const sip::CallProgress& p) {
      print_line(fmt::format("PROGRESS kind={} transport={} pages={}", static_cast<int>(p.kind),
                             transport_name(p.transport), p.pages_done));
    };
    cb.on_end = [this](const sip::CallOutcome& o) {
      print_line(
          fmt::format("OUTCOME ok={} failure={} sip_status={} transport={} pages={} "
                      "message=\"{}\"",
                      o.ok ? 1 : 0, o.ok ? "none" : to_string(o.failure), o.sip_status,
                      transport_name(o.transport), o.fax ? o.fax->pages : 0, o.message));
      if (++ended_ >= args_.calls && done) done();
    };
    return cb;
  }

  std::function<void()> done;

 private:
  boost::asio::io_context& io_;
  const Args& args_;
  int ended_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  if (auto r = setup_logging("debug", LogFormat::text); !r) {
    std::cerr << r.error().message << "\n";
    return 1;
  }
  auto listen = config::parse_host_port(args.listen);
  if (!listen) {
    std::cerr << "bad --listen: " << listen.error() << "\n";
    return 64;
  }
  boost::asio::io_context io;
  SystemClock clock;
  test::FakeMediaEngine::Options mopt;
  mopt.complete_after = std::chrono::milliseconds(args.fax_ms);
  mopt.first_port = static_cast<std::uint16_t>(30000 + (listen->port % 1000) * 20);
  test::FakeMediaEngine fake(mopt);
  fake.on_event = [](const std::string& line) { print_line("MEDIA " + line); };
  std::unique_ptr<fax::ThreadedMediaEngine> real;
  if (args.real_media) {
    config::MediaConfig mc;
    const auto dash = args.media_ports.find('-');
    mc.port_min = static_cast<std::uint16_t>(std::stoi(args.media_ports.substr(0, dash)));
    mc.port_max = static_cast<std::uint16_t>(std::stoi(args.media_ports.substr(dash + 1)));
    config::T38Config t38;
    t38.enabled = args.t38;
    auto engine = fax::make_media_engine(mc, t38);
    if (!engine) {
      std::cerr << "media engine: " << engine.error().message << "\n";
      return 1;
    }
    real = std::move(*engine);
  }
  fax::MediaEngine& media = real ? static_cast<fax::MediaEngine&>(*real) : fake;
  Peer peer(io, args);

  sip::SipEngineOptions opts;
  opts.listen = *listen;
  opts.public_address = args.public_address;
  opts.t38.enabled = args.t38;
  opts.t38.reinvite_after_s = args.reinvite_after_s;
  opts.timers.ring_timeout = std::chrono::seconds(args.ring_timeout_s);
  opts.timers.end_grace = std::chrono::seconds(3);
  sip::SipEngine engine(io, media, peer, clock, opts);
  if (auto r = engine.start(); !r) {
    std::cerr << r.error().message << "\n";
    return 1;
  }
  engine.set_allowed_sources(args.allow);

  int exit_code = 0;
  boost::asio::steady_timer deadline(io, std::chrono::seconds(args.max_s));
  auto stop = [&](int code) {
    exit_code = code;
    deadline.cancel();
    engine.shutdown([&io] { io.stop(); });
  };
  peer.done = [&] { stop(0); };
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) {
      print_line("TIMEOUT");
      stop(2);
    }
  });

  std::shared_ptr<sip::CallHandle> handle;
  boost::asio::steady_timer cancel_timer(io);
  if (!args.dial.empty()) {
    auto target = config::parse_host_port(args.dial);
    if (!target) {
      std::cerr << "bad --dial: " << target.error() << "\n";
      return 64;
    }
    sip::OutboundCall call;
    call.carrier_host = target->host;
    call.carrier_port = target->port;
    call.transport = args.tcp ? sip::SipTransport::tcp : sip::SipTransport::udp;
    call.username = args.user;
    call.password = args.password;
    call.t38_allowed = args.carrier_t38;
    call.from_number = args.from;
    call.to_number = args.to;
    call.job.direction = fax::Direction::send;
    call.job.tiff_path = args.tiff;
    call.job.local_station_id = "FAXD SENDER";
    boost::asio::post(io, [&, call] {
      handle = engine.dial(call, peer.callbacks());
      print_line("DIAL call=" + handle->call_id());
      if (args.cancel_after_ms >= 0) {
        cancel_timer.expires_after(std::chrono::milliseconds(args.cancel_after_ms));
        cancel_timer.async_wait([&](const boost::system::error_code& ec) {
          if (!ec) handle->cancel();
        });
      }
    });
  }
  print_line("READY");
  io.run();
  return exit_code;
}
