// The PostgreSQL back end's connection string: the user's settings with our
// defaults added, a description for logs, and the secrets it holds, so they
// can be kept out of every message.
#pragma once

#include <string>
#include <vector>

namespace watt::historian::postgres {

struct ConnInfo {
  std::string libpq;                 // what is handed to libpq
  std::string description;           // "postgresql host=… port=… dbname=… user=…", no secrets
  std::vector<std::string> secrets;  // the values libpq marks as passwords
};

// Parses a key=value string or a postgresql:// URI. Adds connect_timeout
// (so a dead server fails a call instead of hanging it), TCP keepalives (so
// a vanished one is noticed mid-query), client_encoding=UTF8 and an
// application name, each only when the user did not set it. Throws
// BackendError, without echoing the string, when libpq cannot parse it.
ConnInfo parse_conninfo(const std::string& text);

// `message` with every secret replaced by "***".
std::string scrub(std::string message, const std::vector<std::string>& secrets);

}  // namespace watt::historian::postgres
