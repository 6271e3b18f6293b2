// watt-agent: runs any agent library as its own process.
#include <watt/host.hpp>
#include <watt/paths.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

namespace {
watt::AgentHost* running_host = nullptr;
extern "C" void on_signal(int) {
  if (running_host != nullptr) running_host->stop();  // async-signal-safe: an atomic and an eventfd write
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Run a Watt agent library as its own process"};
  std::string library, identity, config_path, address;
  bool check_only = false;
  bool configs_from_platform = false;
  long heartbeat_ms = 10000;
  std::string log_file;
  std::size_t log_max_bytes = 10 << 20;
  std::size_t log_files = 5;
  app.add_option("library", library, "agent shared library (.so)")->required();
  app.add_option("--identity", identity, "identity on the bus (unique)");
  app.add_option("--config", config_path, "YAML configuration handed to on_config as 'config'");
  app.add_option("--connect", address, "broker address (default: " + watt::default_address() + ")");
  app.add_flag("--check", check_only, "only check that the library loads and speaks this ABI");
  app.add_flag("--configs-from-platform", configs_from_platform,
               "fetch the agent's configurations from the platform's config store before starting");
  app.add_option("--heartbeat-ms", heartbeat_ms, "heartbeat period on heartbeat/<identity> (0 = none)")
      ->check(CLI::Range(0L, 86'400'000L));
  std::string server_key, key_file;
  app.add_option("--server-key", server_key, "the platform's public key, to connect over TCP");
  app.add_option("--key-file", key_file, "this agent's key file (watt keys create NAME)");
  app.add_option("--log-file", log_file, "log to this file, rotated by size, instead of the console");
  app.add_option("--log-max-bytes", log_max_bytes, "rotate the log file at this size");
  app.add_option("--log-files", log_files, "rotated log files to keep");
  CLI11_PARSE(app, argc, argv);

  try {
    watt::AgentLibrary lib(library);
    if (check_only) {
      std::cout << lib.class_name() << "\n";
      return 0;
    }
    if (identity.empty()) throw watt::Error("--identity is required to run an agent");
    watt::HostOptions options;
    options.identity = identity;
    options.address = address;
    options.configs_from_platform = configs_from_platform;
    options.server_key = server_key;
    options.key_file = key_file;
    options.heartbeat_period = std::chrono::milliseconds(heartbeat_ms);
    options.log_file = log_file;
    options.log_max_bytes = log_max_bytes;
    options.log_files = log_files;
    if (!config_path.empty()) {
      try {
        options.configs.emplace_back("config", YAML::LoadFile(config_path));
      } catch (const YAML::Exception& e) {
        throw watt::Error("bad configuration file " + config_path + ": " + e.what());
      }
    }
    watt::AgentHost host(std::move(options));
    host.load(lib);
    running_host = &host;
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    host.run();
    running_host = nullptr;
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "watt-agent: " << e.what() << "\n";
    return 1;
  }
}
