#pragma once
// The outbound queue: takes due faxes from the store (claimed with a lease, so several faxd can
// share a database), picks carriers by the routing rule, dials, fails over to the next carrier
// when one cannot connect, and on the end of the call records the attempt and either finishes
// the fax or puts it back in the queue with a retry time chosen by cause (retry_policy.hpp).
// The fax mode (T.38/G.711, ECM) of each destination follows the fallback ladder.
//
// Ports: RoutePlanner (routes and carriers from the store) and Dialer (the SIP engine) are
// interfaces, so the queue is tested with fakes and a real SQLite store on a manual clock.
//
// Thread: one thread (the control thread): poll(), cancel() and every Dialer callback run there.
// Store calls are synchronous on that thread: they are short single-row writes in WAL mode;
// see docs/benchmarks.md for their cost at load.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/fax/call_media.hpp"
#include "faxd/jobs/fallback_ladder.hpp"
#include "faxd/jobs/retry_policy.hpp"
#include "faxd/sip/call_types.hpp"
#include "faxd/store/destination_repo.hpp"
#include "faxd/store/fax_repo.hpp"

namespace faxd::sip {
class CallHandle;
}

namespace faxd::jobs {

// One carrier to try, with what dialing it needs.
struct CarrierTarget {
  std::string id;
  std::string name;
  std::string host;
  int port = 5060;
  std::string transport = "udp";
  std::string username;
  std::string password;
  bool t38 = true;
  int max_calls = 0;  // 0 = unlimited
  // How it wants numbers in the Request-URI and From (numbers/phone_number.hpp).
  std::string number_format = "e164";
  std::string dial_prefix;  // before the dialled number in the Request-URI and To
  std::string country;      // for the national format
};

struct RoutePlan {
  std::vector<CarrierTarget> carriers;  // in the order to try; empty = nothing to try now
  bool all_full = false;                // routes matched but every carrier is at its max_calls
  bool tenant_disabled = false;         // the fax's company or brand is switched off: hold it
  std::string tenant_message;           // why, for the fax's failure message
};

// Live outbound calls per carrier id (what this node has up right now).
using CallsInUse = std::map<std::string, int, std::less<>>;

class RoutePlanner {
 public:
  virtual ~RoutePlanner() = default;
  // Carriers for one attempt of a fax from `company_id` of `brand_id` to `number`, in the order
  // to try them (the routing rule of api.md, jobs/route_selector.hpp: the company's own routes
  // first), leaving out carriers whose calls in use reached their max_calls. A switched-off
  // company or brand gets no carriers and `tenant_disabled`.
  virtual Result<RoutePlan> plan(const std::string& brand_id, const std::string& company_id,
                                 const std::string& number, const CallsInUse& in_use) = 0;
};

// from_number and to_number are written the way the carrier wants them (number_format,
// dial_prefix on the dialled number); the fax keeps E.164.
struct DialRequest {
  CarrierTarget carrier;
  std::string from_number;
  std::string to_number;
  bool t38 = true;  // the mode allows T.38 (and the carrier does)
  fax::FaxJob job;
  std::string timezone = "UTC";  // the company's, for the page header line's date
  std::string language = "en";
};

class Dialer {
 public:
  virtual ~Dialer() = default;
  // Starts a call; callbacks on the queue's thread; on_end exactly once.
  virtual std::shared_ptr<sip::CallHandle> dial(DialRequest request,
                                                sip::CallCallbacks callbacks) = 0;
};

// What the fax needs from its virtual fax at dial time.
struct SenderIdentity {
  std::string station_id;        // TSI
  std::string header;            // page header line ("" = none)
  std::string timezone = "UTC";  // the company's
  std::string language = "en";
};
using IdentityLookup = std::function<SenderIdentity(const store::Fax&)>;

struct QueueOptions {
  std::string node_id = "local";
  int max_concurrent = 200;  // calls this node runs at once
  std::chrono::seconds lease{600};
  std::chrono::seconds capacity_wait{5};   // retry delay when every carrier is at max_calls
  std::chrono::seconds disabled_wait{60};  // retry delay while the fax's tenant is switched off
  std::string spool_dir;                   // documents' paths are relative to it
  // Where a fax's document can be read on this node (a cluster fetches it from the store);
  // unset: spool_dir / document. Blocking; called when a fax is dialled.
  std::function<Result<std::filesystem::path>(const std::string& document)> locate;
  bool ecm = true;  // [t38] ecm: when false, no mode uses ECM
  RetryPolicy retry;
  LadderPolicy ladder;
};

class OutboundQueue {
 public:
  OutboundQueue(store::FaxRepo& faxes, store::DestinationRepo& destinations, RoutePlanner& planner,
                Dialer& dialer, IdentityLookup identity, const Clock& clock, QueueOptions options);
  ~OutboundQueue();

  // Claims due faxes up to the free capacity and dials them. Call on a timer (every second)
  // and whenever a fax is queued. First retries recording the end of calls whose outcome the
  // store could not take (a full disk): such a fax stays live here, never silently `sending`.
  void poll();
  // Hangs up the live call of a sending fax (it ends as canceled). False if none is live here.
  bool cancel(const std::string& fax_id);
  // Renews the lease of each fax being sent once half of it has run (one row write per fax per
  // half lease, however often this is called; call it well within options.lease).
  void renew_leases();

  int active_calls() const { return static_cast<int>(live_.size()); }
  std::uint64_t retries_scheduled() const { return retries_; }

 private:
  struct Live;
  void start(store::Fax fax);
  void dial_next(const std::shared_ptr<Live>& live);
  void on_end(const std::shared_ptr<Live>& live, const sip::CallOutcome& outcome);
  void on_progress(const std::shared_ptr<Live>& live, const sip::CallProgress& progress);
  bool record_end(const std::shared_ptr<Live>& live, const sip::CallOutcome& outcome);
  bool conclude(const std::shared_ptr<Live>& live, const sip::CallOutcome& outcome);
  FaxMode mode_for(const std::string& number);
  LadderEntry ladder_entry(const std::string& number);
  void learn(const std::string& number, const LadderEvent& event);

  store::FaxRepo& faxes_;
  store::DestinationRepo& destinations_;
  RoutePlanner& planner_;
  Dialer& dialer_;
  IdentityLookup identity_;
  const Clock& clock_;
  QueueOptions options_;
  std::map<std::string, std::shared_ptr<Live>> live_;  // by fax id
  CallsInUse carrier_calls_;                           // live calls per carrier id
  std::uint64_t retries_ = 0;
};

}  // namespace faxd::jobs
