// Who is logged in: a session per successful login, named by a random token
// that only the browser's HttpOnly cookie holds, with its own CSRF token for
// requests that change something. Sessions end when idle too long, at
// logout, and when their user is removed or changes password or role.
#pragma once

#include <watt/web/role.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace watt::web {

struct Session {
  std::string user;
  Role role = Role::viewer;
  std::string csrf;
  std::string credential;  // the user's hash when logged in: a new password ends the session
  std::chrono::steady_clock::time_point expires;
};

class Sessions {
public:
  explicit Sessions(std::chrono::seconds idle) : idle_(idle) {}

  // A new session's token (64 hex digits from libsodium's randombytes).
  std::string open(const std::string& user, Role role, const std::string& credential);
  // The live session of a token, its idle time restarted; null if none.
  const Session* find(const std::string& token);
  // Whether a token's session is live, without restarting its idle time: an
  // open page's check, which must not keep its session alive by itself.
  bool alive(const std::string& token) const;
  void close(const std::string& token);
  // Ends every session for which `ended(session)` is true.
  void close_if(const std::function<bool(const Session&)>& ended);
  std::size_t size() const { return sessions_.size(); }

private:
  std::chrono::seconds idle_;
  std::map<std::string, Session> sessions_;
};

// Failed logins, per user name and per remote address: after `max_failures`
// within `window`, that name or address waits `lockout` before it may try
// again; a success clears its count.
class LoginLimiter {
public:
  struct Limits {
    unsigned max_failures = 5;
    std::chrono::seconds window{300};
    std::chrono::seconds lockout{60};
  };
  explicit LoginLimiter(Limits limits) : limits_(limits) {}

  // Zero if `key` may try now, or how long it must wait.
  std::chrono::seconds wait(const std::string& key);
  void failed(const std::string& key);
  void succeeded(const std::string& key);
  // Takes back one failure: an attempt counted before its outcome was known.
  void forgive(const std::string& key);

private:
  struct Record {
    unsigned failures = 0;
    std::chrono::steady_clock::time_point first, locked_until;
  };
  void forget_old();
  Limits limits_;
  std::map<std::string, Record> records_;
};

// A random token: `bytes` from libsodium, as hex.
std::string random_token(std::size_t bytes = 32);

}  // namespace watt::web
