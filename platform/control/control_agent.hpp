// The `platform` peer: the control RPC behind the `watt` command line
// (install, start, stop, list, shutdown). Runs in wattd over inproc.
#pragma once

#include "agent_registry.hpp"
#include "control_types.hpp"
#include "supervisor.hpp"

#include <watt/agent.hpp>

#include <filesystem>
#include <functional>
#include <string>

namespace watt::platform {

struct ControlOptions {
  std::filesystem::path home;
  std::filesystem::path agent_runner;  // the watt-agent executable
  std::string agent_address;           // where agents connect (the ipc endpoint)
  std::chrono::milliseconds stop_timeout{10000};
  std::function<void()> on_shutdown;   // called once every agent has stopped
};

class ControlAgent : public Agent {
public:
  explicit ControlAgent(ControlOptions options);

  void on_start() override;
  void on_stop() override;

private:
  std::string install(const std::string& source, const std::string& identity, const std::string& config_text,
                      bool start);
  void start_agent(const std::string& identity);
  std::string check_library(const std::filesystem::path& library) const;
  AgentStatus status_of(const InstalledAgent& a) const;
  const InstalledAgent& installed(const std::string& identity) const;

  ControlOptions options_;
  AgentRegistry registry_;
  Supervisor supervisor_;
  std::chrono::steady_clock::time_point started_;
  bool shutting_down_ = false;
};

}  // namespace watt::platform
