#include "hosted_roster.hpp"

namespace watt::platform {

void HostedRoster::report(const std::string& identity, HostedState state) {
  auto& s = states_[identity];
  if (state.last_failure.empty()) state.last_failure = s.last_failure;
  s = std::move(state);
}

HostedState HostedRoster::state(const std::string& identity) const {
  auto it = states_.find(identity);
  HostedState s = it == states_.end() ? HostedState{} : it->second;
  if (auto e = earlier_restarts_.find(identity); e != earlier_restarts_.end()) s.restarts += e->second;
  return s;
}

void HostedRoster::container_exited(const std::vector<std::string>& agents, bool restarting, const std::string& why) {
  for (const auto& identity : agents) {
    auto& s = states_[identity];
    if (s.state == "stopped" && !wanted_.contains(identity)) continue;
    s.state = restarting ? "restarting" : "failed";
    s.last_failure = why;
    earlier_restarts_[identity] += s.restarts + (restarting ? 1 : 0);
    s.restarts = 0;  // the next container process counts from zero
  }
}

void HostedRoster::forget(const std::string& identity) {
  wanted_.erase(identity);
  states_.erase(identity);
  earlier_restarts_.erase(identity);
}

}  // namespace watt::platform
