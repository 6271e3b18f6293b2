// $WATT_HOME/config.yml: the platform's own settings. Unknown keys are
// errors, so a typo never silently falls back to a default.
#pragma once

#include "../broker/broker.hpp"
#include "../control/supervisor.hpp"

#include <yaml-cpp/node/node.h>

#include <chrono>
#include <filesystem>
#include <string>

namespace watt::platform {

struct PlatformConfig {
  std::string tcp;  // optional extra listening address, e.g. tcp://127.0.0.1:22916
  broker::BrokerConfig broker;
  SupervisorOptions supervisor;  // runner and pid_dir are wattd's to fill in
  std::chrono::milliseconds heartbeat{10000};
  std::size_t log_max_bytes = 10 << 20;
  std::size_t log_files = 5;
  // The agents log to the journal as well as their files: "auto" (when
  // wattd's own output is the journal: under systemd), "off", or the path of
  // a journal socket.
  std::string journal = "auto";
};

// The journal socket the agents log to, by the config's `journal` and where
// wattd's own output goes; empty for none.
std::string journal_socket(const PlatformConfig& config);

// A missing file means all defaults. Throws watt::Error naming the file and key.
PlatformConfig load_platform_config(const std::filesystem::path& file);
// The same from the file's YAML, `file` naming it in errors.
PlatformConfig parse_platform_config(const YAML::Node& root, const std::string& file);

}  // namespace watt::platform
