#include "auth.hpp"

#include <sodium.h>

#include <algorithm>

namespace watt::web {

std::optional<Caller> session_of(Context& ctx, const Request& req) {
  const auto token = cookie(req, session_cookie);
  if (token.empty()) return std::nullopt;
  const auto* s = ctx.sessions.find(token);
  if (s == nullptr) return std::nullopt;
  return Caller{s->user, s->role, s->csrf, token};
}

bool origin_allowed(const Context& ctx, const Request& req) {
  const auto it = req.find(http::field::origin);
  if (it == req.end()) return true;
  const std::string origin(it->value());
  const std::string host(req[http::field::host]);
  if (!host.empty() && (origin == "http://" + host || origin == "https://" + host)) return true;
  const auto& allowed = ctx.options.allowed_origins;
  return std::find(allowed.begin(), allowed.end(), origin) != allowed.end();
}

namespace {

// "host:port", "[::1]:port" or "host" without its port.
std::string host_name(std::string_view host) {
  if (!host.empty() && host.front() == '[') return std::string(host.substr(0, host.find(']') + 1));
  return std::string(host.substr(0, host.find(':')));
}

}  // namespace

bool host_allowed(const Context& ctx, const Request& req) {
  const auto name = host_name(sv(req[http::field::host]));
  if (name.empty() || name == "127.0.0.1" || name == "localhost" || name == "[::1]" || name == ctx.options.address)
    return true;
  for (const auto& origin : ctx.options.allowed_origins) {
    const auto scheme = origin.find("://");
    auto rest = std::string_view(origin).substr(scheme == std::string::npos ? 0 : scheme + 3);
    if (host_name(rest.substr(0, rest.find('/'))) == name) return true;
  }
  return false;
}

bool csrf_ok(const Caller& caller, const Request& req) {
  const auto it = req.find("X-CSRF-Token");
  if (it == req.end()) return false;
  const std::string_view given = sv(it->value());
  // In constant time: the token must not leak byte by byte.
  return given.size() == caller.csrf.size() && sodium_memcmp(given.data(), caller.csrf.data(), given.size()) == 0;
}

bool allows(Role role, Role needed) { return static_cast<int>(role) >= static_cast<int>(needed); }

}  // namespace watt::web
