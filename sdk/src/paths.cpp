// Default locations: $WATT_HOME (or ~/.watt) and the broker's ipc socket.
#include <watt/paths.hpp>

#include <cstdlib>

namespace watt {

std::string watt_home() {
  if (const char* h = std::getenv("WATT_HOME"); h != nullptr && *h != '\0') return h;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : "/tmp") + "/.watt";
}

std::string default_address() { return "ipc://" + watt_home() + "/run/watt.sock"; }

}  // namespace watt
