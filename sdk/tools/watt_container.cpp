// watt-container: runs many agent libraries in one process (docs/containers.md).
#include <watt/container.hpp>
#include <watt/error.hpp>
#include <watt/paths.hpp>
#include <watt/yaml_keys.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

namespace {

watt::ContainerHost* running = nullptr;
extern "C" void on_signal(int) {
  if (running != nullptr) running->stop();  // async-signal-safe: an atomic and an eventfd write
}

// An agents file: `agents:`, a list of {identity, library, restart, config}.
std::vector<watt::HostedAgentOptions> read_agents(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw watt::Error("bad agents file " + path + ": " + e.what());
  }
  const auto fail = [&](const std::string& why) { return watt::Error(path + ": " + why); };
  if (!root.IsMap() || !root["agents"] || !(root["agents"].IsSequence() || root["agents"].IsNull()))
    throw fail("it must hold 'agents:', a list of agents (which may be empty)");
  if (auto err = watt::yaml::key_error(root, {"agents"}); !err.empty()) throw fail(err);
  std::vector<watt::HostedAgentOptions> out;
  if (root["agents"].IsNull()) return out;
  for (std::size_t i = 0; i < root["agents"].size(); ++i) {
    const auto a = root["agents"][i];
    const std::string where = "agents[" + std::to_string(i) + "]";
    if (!a.IsMap()) throw fail(where + " must be a map");
    if (auto err = watt::yaml::key_error(a, {"identity", "library", "restart", "config"}, where + "."); !err.empty())
      throw fail(err);
    if (!a["identity"] || !a["library"]) throw fail(where + " needs an identity and a library");
    watt::HostedAgentOptions o;
    try {
      o.identity = a["identity"].as<std::string>();
      o.library = a["library"].as<std::string>();
      if (a["restart"]) o.restart = a["restart"].as<std::string>();
    } catch (const YAML::Exception&) {
      throw fail(where + ": identity, library and restart are text");
    }
    if (a["config"]) o.configs.emplace_back("config", a["config"]);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Run many Watt agent libraries in one process"};
  watt::ContainerOptions options;
  std::string agents_file;
  std::vector<std::string> agent_args;
  long heartbeat_ms = 10000;
  app.add_option("--name", options.name, "the container's name (its identity is container.<name>)")->required();
  app.add_option("--agents", agents_file, "YAML file: agents: [{identity, library, restart, config}]");
  app.add_option("--agent", agent_args, "IDENTITY=LIBRARY, one agent (repeatable)");
  app.add_option("--threads", options.threads, "threads for the agents' callbacks (default: one per core)");
  app.add_option("--agent-queue", options.agent_queue,
                 "messages that may wait for one agent before the container stops reading (default 10000)")
      ->check(CLI::Range(std::size_t{2}, std::size_t{10'000'000}));
  app.add_option("--connect", options.address, "broker address (default: " + watt::default_address() + ")");
  app.add_flag("--configs-from-platform", options.configs_from_platform,
               "run by the platform: take the agents it wants here, report their states, and let each fetch "
               "its configurations");
  app.add_option("--heartbeat-ms", heartbeat_ms, "heartbeat period of each agent and the container (0 = none)")
      ->check(CLI::Range(0L, 86'400'000L));
  app.add_option("--server-key", options.server_key, "the platform's public key, to connect over TCP");
  app.add_option("--key-file", options.key_file, "the container's key file (watt keys create NAME)");
  app.add_option("--log-file", options.log_file, "log to this file, rotated by size, instead of the console");
  app.add_option("--log-max-bytes", options.log_max_bytes, "rotate the log file at this size");
  app.add_option("--log-files", options.log_files, "rotated log files to keep");
  CLI11_PARSE(app, argc, argv);
  options.heartbeat_period = std::chrono::milliseconds(heartbeat_ms);

  try {
    std::vector<watt::HostedAgentOptions> agents;
    if (!agents_file.empty()) agents = read_agents(agents_file);
    for (const auto& arg : agent_args) {
      const auto eq = arg.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size())
        throw watt::Error("--agent takes IDENTITY=LIBRARY, not '" + arg + "'");
      watt::HostedAgentOptions o;
      o.identity = arg.substr(0, eq);
      o.library = arg.substr(eq + 1);
      agents.push_back(std::move(o));
    }
    watt::ContainerHost host(std::move(options));
    for (auto& a : agents) host.add(std::move(a));
    running = &host;
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    host.run();
    running = nullptr;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "watt-container: " << e.what() << "\n";
    return 1;
  }
}
