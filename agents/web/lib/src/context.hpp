// What every connection of one server shares. Lives on the io thread;
// connections hold it by shared_ptr, so it outlives the last of them.
#pragma once

#include "log_follower.hpp"
#include "proc_stats.hpp"
#include "user_book.hpp"

#include <watt/web/server.hpp>
#include <watt/web/sessions.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <set>

namespace watt::web {

// An open connection of any kind, so that stop() can close them all and a
// session's end can reach its WebSockets.
class Connection {
public:
  virtual ~Connection() = default;
  virtual void close() = 0;
  // Closes the connection if its session has ended (logout, user removed).
  virtual void recheck() {}
};

struct Context {
  Context(std::shared_ptr<boost::asio::io_context> io, ServerOptions options, Backend& backend,
          std::shared_ptr<spdlog::logger> log);

  std::shared_ptr<boost::asio::io_context> io_owner;  // first: the last to go
  boost::asio::io_context& io;
  ServerOptions options;
  Backend& backend;
  std::shared_ptr<spdlog::logger> log;
  StreamHub hub;
  Sessions sessions;
  LoginLimiter limiter;          // per user name
  LoginLimiter address_limiter;  // per remote address: four times as many, for people behind one NAT or proxy
  UserBook users;
  LogFollower logs;
  ProcStats procs;
  ServerStats stats;
  boost::asio::thread_pool hasher{1};  // Argon2 takes tens of ms: never on the io thread
  boost::asio::ip::tcp::acceptor acceptor;
  boost::asio::steady_timer refresh;
  std::set<Connection*> live;
  bool stopped = false;
};

}  // namespace watt::web
