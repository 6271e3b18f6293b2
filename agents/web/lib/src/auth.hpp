// Who sent a request, and whether it may: the session behind its cookie,
// the origin it came from, the CSRF token a change must carry, the role an
// action needs.
#pragma once

#include "context.hpp"
#include "http_util.hpp"

#include <optional>
#include <string>

namespace watt::web {

inline constexpr const char* session_cookie = "watt_session";

struct Caller {
  std::string user;
  Role role = Role::viewer;
  std::string csrf;
  std::string token;
};

// The caller behind the request's session cookie, or none.
std::optional<Caller> session_of(Context& ctx, const Request& req);
// True when the request has no Origin (not a browser) or one this server
// accepts: its own (from the Host header) or one configured.
bool origin_allowed(const Context& ctx, const Request& req);
// True when the request's X-CSRF-Token is the session's.
bool csrf_ok(const Caller& caller, const Request& req);
// True when the request's Host names this server: localhost, its listen
// address, or the host of one of allowed_origins. A page of another site
// whose name was made to resolve to this machine (DNS rebinding) is refused.
bool host_allowed(const Context& ctx, const Request& req);
// Whether `role` includes `needed`.
bool allows(Role role, Role needed);

}  // namespace watt::web
