// The `platform` peer: the control RPC behind the `watt` command line. It
// installs and supervises agents, keeps their configurations, watches their
// health, and reports the platform's state. Runs in wattd over inproc.
#pragma once

#include <watt/platform/control_types.hpp>
#include <watt/platform/org_tree.hpp>
#include "../broker/allow_list.hpp"
#include "agent_registry.hpp"
#include "config_store.hpp"
#include "health_monitor.hpp"
#include "hosted_roster.hpp"
#include "supervisor.hpp"

#include <watt/agent.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace watt::platform {

struct ControlOptions {
  std::filesystem::path home;
  std::string agent_address;  // where agents connect (the ipc endpoint)
  SupervisorOptions supervisor;
  std::chrono::milliseconds heartbeat{10000};  // the period agents are started with
  std::size_t log_max_bytes = 10 << 20;        // each agent's log rotates at this size
  std::size_t log_files = 5;
  std::function<void()> on_shutdown;  // called once every agent has stopped
};

class ControlAgent : public Agent {
public:
  // Opens the config store: throws watt::Error when it is damaged, before
  // anything else happens.
  explicit ControlAgent(ControlOptions options);

  void on_start() override;
  void on_stop() override;

private:
  // Installing (control_install.cpp).
  struct Prepared {  // a request checked, ready to install
    InstalledAgent agent;
    std::filesystem::path library;
    broker::AuthEntry grant;
    std::string config;
  };
  std::string install(const InstallRequest& request);
  std::vector<std::string> install_many(const std::vector<InstallRequest>& requests, bool check_only,
                                        std::uint64_t first);
  // `checked`: class names of the libraries already checked in this request.
  Prepared prepare(const InstallRequest& r, std::map<std::filesystem::path, std::string>& checked);
  void commit(const std::vector<Prepared>& prepared);
  std::string check_library(const std::filesystem::path& library) const;

  // Agents (control_agent.cpp).
  void export_agent_methods();
  void start_agent(const std::string& identity);
  void stop_agent(const std::string& identity);
  void remove_agent(const std::string& identity);
  void start_enabled_agents();
  AgentStatus status_of(const InstalledAgent& a, bool with_log) const;
  const InstalledAgent& installed(const std::string& identity) const;
  LaunchSpec launch_spec(const InstalledAgent& a) const;
  std::filesystem::path log_file(const std::string& identity) const;

  // Configurations (control_config.cpp).
  // Containers (control_containers.cpp).
  void export_container_methods();
  void start_hosted(const InstalledAgent& a);
  void stop_hosted(const InstalledAgent& a);
  void start_container(const std::string& name);
  // A container a previous platform left running: kept, and asked what it runs.
  void adopt_container(const std::string& name);
  void container_exited(const ProcessInfo& p);
  LaunchSpec container_spec(const std::string& name);  // logs a damaged settings file
  std::vector<const InstalledAgent*> agents_in(const std::string& container) const;
  std::vector<ContainerStatus> containers() const;
  void hosted_status(const InstalledAgent& a, AgentStatus& s) const;
  // A request to a container, not waited for: the control service never blocks on one.
  void tell_container(const std::string& name, const char* method, const std::string& identity);

  void export_config_methods();
  // A change reaches a running agent first, and is stored once it took it.
  // The reply is completed when the agent answered: the control service's
  // thread never waits for an agent.
  void set_config(Reply reply, const std::string& identity, const std::string& name, const std::string& text,
                  bool force);
  void delete_config(const std::string& identity, const std::string& name);
  Call push_config(const std::string& identity, const std::string& name, const char* action, const std::string& text);

  // Organizations (control_orgs.cpp): the change is saved, then the broker
  // rereads them.
  void export_org_methods();
  void change_orgs(const std::function<void(OrgTree&)>& change);

  // The allow-list (control_auth.cpp): TCP keys, and installed agents' grants.
  void export_auth_methods();
  void change_allow_list(const std::function<void(broker::AllowList&)>& change);

  // Health (control_health.cpp).
  void watch_health();
  void publish_alert(const HealthChange& change);

  ControlOptions options_;
  ConfigStore configs_;
  AgentRegistry registry_;
  Supervisor supervisor_;
  HealthMonitor health_;
  HostedRoster hosted_;
  std::chrono::steady_clock::time_point started_;
  bool shutting_down_ = false;
};

}  // namespace watt::platform
