// The platform's view of agent health: what each agent's heartbeats say, and
// BAD for any agent whose heartbeats stop. Pure bookkeeping; the control
// agent feeds it heartbeats and the clock, and publishes the changes.
#pragma once

#include <watt/health.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace watt::platform {

struct HealthChange {
  std::string identity;
  Health previous = Health::unknown;
  Health status = Health::unknown;
  std::string context;
};

struct HealthEntry {
  std::string identity;
  Health status = Health::unknown;
  std::string context;
  std::chrono::steady_clock::time_point last_seen;
  std::chrono::milliseconds period{0};
};

class HealthMonitor {
public:
  // Heartbeats missing for this many periods make an agent BAD.
  explicit HealthMonitor(double missed_periods = 2.5) : missed_periods_(missed_periods) {}

  std::optional<HealthChange> on_heartbeat(const Heartbeat& hb, std::chrono::steady_clock::time_point now);
  // Agents whose heartbeats have stopped, newly BAD.
  std::vector<HealthChange> tick(std::chrono::steady_clock::time_point now);
  // Stopped on purpose: no longer watched, so no alert.
  void forget(const std::string& identity) { entries_.erase(identity); }

  const std::map<std::string, HealthEntry>& entries() const noexcept { return entries_; }

private:
  double missed_periods_;
  std::map<std::string, HealthEntry> entries_;
};

}  // namespace watt::platform
