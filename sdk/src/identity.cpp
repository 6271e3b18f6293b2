// Identity rules (see watt/identity.hpp).
#include <watt/identity.hpp>

namespace watt {

std::string identity_error(std::string_view identity) {
  if (identity.empty()) return "identity is empty";
  if (identity.size() > max_identity_bytes)
    return "identity is longer than " + std::to_string(max_identity_bytes) + " characters";
  for (const char c : identity) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-' || c == '@' || c == ':';
    if (!ok) return "identity '" + std::string(identity) + "' may only use letters, digits and . _ - @ :";
  }
  // An installed agent's identity names its folder and files under
  // $WATT_HOME: "." and ".." are folders already, and a hidden one would be
  // skipped when the platform next starts.
  if (identity.front() == '.') return "identity '" + std::string(identity) + "' may not start with '.'";
  if (identity == broker_identity) return "identity '" + std::string(broker_identity) + "' is reserved";
  return {};
}

}  // namespace watt
