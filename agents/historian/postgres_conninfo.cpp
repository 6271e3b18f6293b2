// Connection strings through libpq's own parser, so both syntaxes and every
// keyword libpq knows are handled exactly as libpq will read them.
#include "postgres_conninfo.hpp"

#include "backend.hpp"

#include <libpq-fe.h>

#include <map>
#include <memory>

namespace watt::historian::postgres {
namespace {

// Each only when the user left it out. Five seconds to connect: long enough
// for a loaded server, short enough that a call against a dead one returns
// before the caller's own timeouts. Keepalives: libpq's default is the
// kernel's two hours of silence before anyone notices a lost peer.
const std::map<std::string, std::string>& defaults() {
  static const std::map<std::string, std::string> d = {
      {"connect_timeout", "5"},  {"keepalives_idle", "30"},   {"keepalives_interval", "10"},
      {"keepalives_count", "3"}, {"client_encoding", "UTF8"}, {"fallback_application_name", "watt-historian"}};
  return d;
}

// A value in libpq's key='value' syntax: quotes and backslashes escaped.
std::string quoted(const std::string& v) {
  std::string out = "'";
  for (const char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

ConnInfo parse_conninfo(const std::string& text) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(PQconninfoParse(text.c_str(), &error),
                                                                         PQconninfoFree);
  if (!options) {
    // libpq's message may quote the malformed part, and that part may be the
    // password: say what is wrong without it.
    if (error != nullptr) PQfreemem(error);
    throw BackendError(
        "the PostgreSQL connection string is not valid: expected key=value pairs "
        "(host=… port=… dbname=… user=…) or a postgresql:// URI");
  }
  ConnInfo info;
  std::map<std::string, std::string> given;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    given[o->keyword] = o->val;
    if (o->dispchar != nullptr && o->dispchar[0] == '*' && o->val[0] != '\0') info.secrets.emplace_back(o->val);
  }
  for (const auto& [key, value] : defaults()) given.emplace(key, value);
  for (const auto& [key, value] : given) {
    if (!info.libpq.empty()) info.libpq += ' ';
    info.libpq += key + "=" + quoted(value);
  }
  info.description = "postgresql";
  for (const char* key : {"host", "hostaddr", "port", "dbname", "user"})
    if (const auto it = given.find(key); it != given.end()) info.description += " " + it->first + "=" + it->second;
  return info;
}

std::string scrub(std::string message, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    // A secret of a few characters would blank out ordinary words; it is no
    // real secret anyway.
    if (s.size() < 4) continue;
    for (auto at = message.find(s); at != std::string::npos; at = message.find(s, at + 3))
      message.replace(at, s.size(), "***");
  }
  return message;
}

}  // namespace watt::historian::postgres
