// The web view's server (docs/web.md): HTTP, one multiplexed WebSocket per
// page and Server-Sent Events, on one Asio thread with Boost.Beast. It knows
// the platform only through a Backend — the web agent's bus connection — so
// it needs neither the platform's code nor a thread of the agent's.
#pragma once

#include <watt/web/stream_hub.hpp>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace watt::web {

struct ServerOptions {
  std::string address = "127.0.0.1";   // localhost unless told otherwise
  unsigned short port = 8787;          // 0: any free port (see Server::port())
  std::filesystem::path pages;         // the front end's files
  std::filesystem::path home;          // $WATT_HOME: users, agents' logs
  std::size_t max_connections = 1024;  // past it, new ones are closed at once
  std::size_t client_queue_bytes = 256 * 1024;
  std::size_t max_ws_message = 64 * 1024;  // from a browser; larger closes it (1009)
  std::size_t max_body = 1024 * 1024;
  std::chrono::seconds session_idle{8 * 3600};
  bool secure_cookies = false;               // behind TLS (a reverse proxy): cookies only over HTTPS
  std::vector<std::string> allowed_origins;  // besides the server's own, e.g. https://watt.example.org
  // Methods any logged-in user may call on any agent but the platform and
  // the broker (GET /api/call/PEER/METHOD): those that only read.
  std::vector<std::string> viewer_methods = {"accounts", "posts",  "verify",  "counters",  "state",
                                             "status",   "record", "results", "statements"};
  unsigned login_failures = 5;  // per name or address, then a lockout
  std::chrono::seconds login_lockout{60};
  HubLimits hub;
};

// What an RPC answered: the result's JSON, or an error's code and message.
struct CallResult {
  bool ok = false;
  std::string json;     // the result, when ok
  std::string code;     // unknown_peer, unknown_method, unauthorized, timeout, handler_threw…
  std::string message;  // the callee's own words
};

class Backend {
public:
  virtual ~Backend() = default;
  // Calls `peer`'s `method` with a JSON array of arguments; `done` runs on
  // the server's io thread.
  virtual void call(const std::string& peer, const std::string& method, const std::string& args_json,
                    std::chrono::milliseconds timeout, std::function<void(CallResult)> done) = 0;
  // Subscribes the bus to `pattern` or leaves it; messages come back through
  // Server::hub().on_message on the io thread.
  virtual void bus(const std::string& pattern, bool on) = 0;
};

struct ServerStats {
  std::uint64_t websockets = 0;
  std::uint64_t streams = 0;  // SSE
  std::uint64_t refused = 0;  // over max_connections
  std::uint64_t requests = 0;
  std::uint64_t logins = 0;
  std::uint64_t failed_logins = 0;
  std::uint64_t dropped = 0;  // frames not sent to clients that did not read
};

struct Context;

class Server {
public:
  // Binds and listens at once: throws watt::Error naming the address when it
  // cannot. Serves once the io_context runs.
  // The server shares the io_context: what is still in flight when it stops
  // (a call an agent has not answered yet) keeps it, and the sockets it
  // serves, alive until it is done.
  Server(std::shared_ptr<boost::asio::io_context> io, ServerOptions options, Backend& backend,
         std::shared_ptr<spdlog::logger> log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  unsigned short port() const;
  StreamHub& hub();
  // Stops accepting and closes every connection; on the io thread.
  void stop();

private:
  std::shared_ptr<Context> ctx_;
};

}  // namespace watt::web
