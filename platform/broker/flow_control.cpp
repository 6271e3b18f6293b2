#include "flow_control.hpp"

namespace watt::broker {

bool FlowControl::queued(Peer& subscriber, Backlog lossless) {
  if (subscriber.flow.congested || (lossless.messages < high_water_ && lossless.bytes < high_water_bytes_))
    return false;
  subscriber.flow.congested = true;
  return true;
}

bool FlowControl::drained(Peer& subscriber, Backlog lossless, std::vector<Peer*>& resume) {
  if (!subscriber.flow.congested || lossless.messages > high_water_ / 2 || lossless.bytes > high_water_bytes_ / 2)
    return false;
  subscriber.flow.congested = false;
  subscriber.flow.overflow_reported = false;
  resume = release(subscriber);
  return true;
}

bool FlowControl::hold(Peer& subscriber, Peer& publisher) {
  if (!subscriber.flow.holding.insert(&publisher).second) return false;
  publisher.flow.holders.insert(&subscriber);
  return publisher.flow.holders.size() == 1;
}

std::vector<Peer*> FlowControl::release(Peer& subscriber) {
  std::vector<Peer*> resume;
  for (Peer* pub : subscriber.flow.holding) {
    pub->flow.holders.erase(&subscriber);
    if (pub->flow.holders.empty() && !pub->dead) resume.push_back(pub);
  }
  subscriber.flow.holding.clear();
  return resume;
}

std::vector<Peer*> FlowControl::forget(Peer& p) {
  for (Peer* sub : p.flow.holders) sub->flow.holding.erase(&p);
  p.flow.holders.clear();
  return release(p);
}

}  // namespace watt::broker
