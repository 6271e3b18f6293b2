// ControlAgent: heartbeats in, alerts out.
#include "control_agent.hpp"

namespace watt::platform {

void ControlAgent::watch_health() {
  subscribe("heartbeat", [this](const Envelope& e) {
    auto hb = e.body.as<Heartbeat>();
    hb.identity = e.sender;  // the broker's word, not the body's
    if (auto change = health_.on_heartbeat(hb, std::chrono::steady_clock::now())) publish_alert(*change);
  });
  // A peer that said goodbye stopped on purpose; one whose connection just
  // closed is left to the heartbeat timeout.
  subscribe("platform/peers/left", [this](const Envelope& e) {
    const auto event = e.body.as<PeerEvent>();
    if (event.reason == "left") health_.forget(event.identity);
  });
  every(std::chrono::milliseconds(250), [this] {
    for (const auto& change : health_.tick(std::chrono::steady_clock::now())) publish_alert(change);
  });
  export_method("health", [this] {
    const auto now = std::chrono::steady_clock::now();
    std::vector<HealthRow> rows;
    for (const auto& [identity, e] : health_.entries())
      rows.push_back({identity, std::string(to_string(e.status)), e.context,
                      std::chrono::duration<double>(now - e.last_seen).count(), e.period.count()});
    return rows;
  });
}

void ControlAgent::publish_alert(const HealthChange& change) {
  const HealthAlert alert{change.identity, std::string(to_string(change.status)),
                          std::string(to_string(change.previous)), change.context};
  (change.status == Health::good
       ? log().info("health of '{}': {} -> {} {}", change.identity, alert.previous, alert.status, change.context)
       : log().warn("health of '{}': {} -> {} {}", change.identity, alert.previous, alert.status, change.context));
  PublishOptions o;
  o.priority = change.status == Health::good ? 30 : 5;
  publish("alerts/" + change.identity, alert, o);
}

}  // namespace watt::platform
