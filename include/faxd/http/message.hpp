#pragma once
// HTTP request and response as handlers see them: plain values, no Beast types, so handlers are
// pure functions of a Request and easy to test without sockets.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace faxd::http {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // upper case: GET, POST, ...
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded path, no query
  Fields query;        // decoded query parameters, in order
  Fields headers;      // names as sent
  std::string body;
  std::string
      remote_address;        // the client's IP: the peer, or X-Forwarded-For's from a trusted proxy
  std::string peer_address;  // the TCP peer (the proxy, when there is one)
  bool secure = false;       // arrived over TLS
  // Set by the server: true once the client has closed its side of the connection (nobody will
  // read the answer). Callable from any thread while the request is being answered; unset in
  // tests (never gone).
  std::function<bool()> client_gone;
  bool gone() const { return client_gone && client_gone(); }

  // Case-insensitive header lookup; "" when absent.
  std::string_view header(std::string_view name) const;
  std::optional<std::string> query_param(std::string_view name) const;
  // The value of one cookie, "" when absent.
  std::string cookie(std::string_view name) const;
};

// Push side of a streaming response (server-sent events). Thread-safe: callable from any thread.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Queues a chunk; false once the client has gone (stop producing then).
  virtual bool write(std::string chunk) = 0;
  virtual void close() = 0;
  virtual bool closed() const = 0;
  // Bytes written but not yet sent to the client: a producer of a large body waits while this
  // is high, so a slow client does not make the server hold the whole body in memory.
  virtual std::size_t queued_bytes() const { return 0; }
  // Ends the response without its final chunk, so the client sees it was cut short (a producer
  // that failed halfway must not look like a complete body).
  virtual void abort() { close(); }
};

struct Response {
  int status = 200;
  Fields headers;
  std::string body;
  // When set, the body is streamed: the server sends status and headers, then calls this once
  // with a writer that stays valid until the client disconnects or close() is called.
  std::function<void(std::shared_ptr<StreamWriter>)> on_stream;
  // When set, the answer comes later: the server calls this once, on the thread that ran the
  // handler, with `reply`, which must then be called exactly once, from any thread. Handlers
  // use it to hand slow work (document conversion) to a pool of its own and free the thread.
  std::function<void(std::function<void(Response)> reply)> deferred;

  Response& set(std::string name, std::string value);

  static Response json(int status, const nlohmann::json& body);
  static Response text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  static Response no_content();
  // The api.md error shape: {"error": {"code", "message", "field"?}}
  static Response error(int status, std::string_view code, std::string_view message,
                        std::string_view field = {});
};

// The final answer of a response: `response` itself, or what its `deferred` work replies (this
// blocks until then). For tests and callers without an event loop.
Response settle(Response response);

// The Content-Security-Policy every response carries unless its handler sets one: scripts,
// styles and frames from faxd itself only. `extra_script_src` adds sources (say, the hash of an
// inline import map) to script-src.
std::string content_security_policy(std::string_view extra_script_src = {});

// Percent-decoding ('+' as space in queries); nullopt on malformed escapes.
std::optional<std::string> url_decode(std::string_view s, bool plus_is_space);
// Splits "a=1&b=2" into decoded pairs (malformed pairs are skipped).
Fields parse_query(std::string_view query);

}  // namespace faxd::http
