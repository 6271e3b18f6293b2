// The values the control RPC returns, shared by the service and the `watt`
// command line so the two cannot drift apart.
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <string>

namespace watt::platform {

// One installed agent, as `watt list` shows it.
struct AgentStatus {
  std::string identity;
  std::string state;  // stopped | starting | running | stopping | failed
  std::int64_t pid = 0;
  double uptime_s = 0;
  int exit_code = 0;
  std::string class_name;
  std::string source;
  MSGPACK_DEFINE_MAP(identity, state, pid, uptime_s, exit_code, class_name, source)
};

// What `watt platform status` shows.
struct PlatformStatus {
  std::int64_t pid = 0;
  double uptime_s = 0;
  std::string home;
  std::uint64_t agents = 0;
  MSGPACK_DEFINE_MAP(pid, uptime_s, home, agents)
};

}  // namespace watt::platform
