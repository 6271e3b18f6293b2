// The agents that run in containers, as the control service sees them: which
// are wanted running (started, or enabled), and what their container last
// said of each. A container asks which of its agents to run when it starts,
// and reports every change of state; when its process dies, every agent in
// it is marked with why.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace watt::platform {

struct HostedState {
  std::string state = "stopped";  // stopped | starting | running | restarting | failed
  std::uint64_t restarts = 0;
  std::string last_failure;
};

class HostedRoster {
public:
  void want(const std::string& identity) { wanted_.insert(identity); }
  void unwant(const std::string& identity) { wanted_.erase(identity); }
  bool wanted(const std::string& identity) const { return wanted_.contains(identity); }

  // What the container reported. Its count of restarts is its own (a new
  // container process starts from zero): the restarts its exits caused are
  // added. A report with no failure keeps the last one known.
  void report(const std::string& identity, HostedState state);
  // The state of an agent ("stopped" when never reported).
  HostedState state(const std::string& identity) const;
  // Its container's process ended: each of `agents` that was not stopped is
  // restarting with it (or failed with it), and says why.
  void container_exited(const std::vector<std::string>& agents, bool restarting, const std::string& why);
  void forget(const std::string& identity);

private:
  std::set<std::string> wanted_;
  std::map<std::string, HostedState> states_;  // as reported
  // Restarts counted by container processes that have ended, and those
  // their ends caused.
  std::map<std::string, std::uint64_t> earlier_restarts_;
};

}  // namespace watt::platform
