// HealthMonitor: status changes from heartbeats and from their absence.
#include "health_monitor.hpp"

namespace watt::platform {

std::optional<HealthChange> HealthMonitor::on_heartbeat(const Heartbeat& hb,
                                                        std::chrono::steady_clock::time_point now) {
  const Health status = health_from_string(hb.status);
  auto [it, fresh] = entries_.try_emplace(hb.identity);
  HealthEntry& e = it->second;
  const Health previous = fresh ? Health::unknown : e.status;
  const bool changed = fresh || previous != status || (status != Health::good && e.context != hb.context);
  e.identity = hb.identity;
  e.status = status;
  e.context = hb.context;
  e.last_seen = now;
  e.period = std::chrono::milliseconds(hb.period_ms);
  if (!changed) return std::nullopt;
  return HealthChange{hb.identity, previous, status, hb.context};
}

std::vector<HealthChange> HealthMonitor::tick(std::chrono::steady_clock::time_point now) {
  std::vector<HealthChange> out;
  for (auto& [identity, e] : entries_) {
    if (e.status == Health::bad && e.context.rfind("no heartbeat", 0) == 0) continue;  // already reported
    const auto silence = std::chrono::duration_cast<std::chrono::milliseconds>(now - e.last_seen);
    const auto limit =
        std::chrono::milliseconds(static_cast<long>(static_cast<double>(e.period.count()) * missed_periods_));
    if (e.period.count() > 0 && silence > limit) {
      HealthChange c{identity, e.status, Health::bad,
                     "no heartbeat for " + std::to_string(silence.count()) + " ms (period " +
                         std::to_string(e.period.count()) + " ms)"};
      e.status = Health::bad;
      e.context = c.context;
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace watt::platform
