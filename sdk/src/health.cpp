// Health names as they appear in heartbeats and alerts.
#include <watt/health.hpp>

namespace watt {

std::string_view to_string(Health h) noexcept {
  switch (h) {
    case Health::good: return "GOOD";
    case Health::bad: return "BAD";
    case Health::starting: return "STARTING";
    case Health::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

Health health_from_string(std::string_view s) noexcept {
  if (s == "GOOD") return Health::good;
  if (s == "BAD") return Health::bad;
  if (s == "STARTING") return Health::starting;
  return Health::unknown;
}

}  // namespace watt
