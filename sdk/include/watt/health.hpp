// An agent's health as its heartbeats report it, and the heartbeat itself:
// published on heartbeat/<identity> every period.
#pragma once

#include <watt/export.hpp>

#include <msgpack.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace watt {

enum class Health { good, bad, starting, unknown };

WATT_EXPORT std::string_view to_string(Health h) noexcept;  // "GOOD", "BAD", "STARTING", "UNKNOWN"
WATT_EXPORT Health health_from_string(std::string_view s) noexcept;

struct Heartbeat {
  std::string identity;
  std::string status;          // to_string(Health)
  std::string context;         // whatever the agent last said about itself
  std::int64_t period_ms = 0;  // when to expect the next one
  std::int64_t pid = 0;
  MSGPACK_DEFINE_MAP(identity, status, context, period_ms, pid)
};

}  // namespace watt

namespace watt {

// Published on alerts/<identity> whenever the platform sees an agent's health
// change, including BAD when its heartbeats stop.
struct HealthAlert {
  std::string identity;
  std::string status;
  std::string previous;
  std::string context;
  MSGPACK_DEFINE_MAP(identity, status, previous, context)
};

}  // namespace watt
