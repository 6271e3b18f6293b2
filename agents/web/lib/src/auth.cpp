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

bool csrf_ok(const Caller& caller, const Request& req) {
  const auto it = req.find("X-CSRF-Token");
  if (it == req.end()) return false;
  const std::string_view given = sv(it->value());
  // In constant time: the token must not leak byte by byte.
  return given.size() == caller.csrf.size() && sodium_memcmp(given.data(), caller.csrf.data(), given.size()) == 0;
}

bool allows(Role role, Role needed) { return static_cast<int>(role) >= static_cast<int>(needed); }

}  // namespace watt::web
