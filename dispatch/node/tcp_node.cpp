// watt-node over TCP: see tcp_node.hpp.
#include "tcp_node.hpp"

#include "ed_node_agent.hpp"

#include <watt/host.hpp>

#include <csignal>

namespace watt::node {

namespace {
AgentHost* running_host = nullptr;
extern "C" void stop_host(int) {
  if (running_host != nullptr) running_host->stop();  // safe in a signal handler
}
}  // namespace

int run_tcp(const YAML::Node& config, const TcpOptions& options) {
  HostOptions host_options;
  host_options.identity = options.identity;
  host_options.address = options.address;
  host_options.server_key = options.server_key;
  host_options.key_file = options.key_file;
  host_options.configs.emplace_back("config", config);
  AgentHost host(host_options);
  auto& agent = host.emplace<ed::EdNodeAgent>(/*stop_when_finished=*/true);
  running_host = &host;
  std::signal(SIGINT, stop_host);
  std::signal(SIGTERM, stop_host);
  host.run();
  running_host = nullptr;
  const auto* runner = agent.runner();
  return runner != nullptr && !runner->error().empty() ? 1 : 0;
}

}  // namespace watt::node
