// How the platform runs one agent container: $WATT_HOME/containers/<name>.yml
// (`watt container set`). Read each time the container starts, so a change
// takes effect at its next start.
#pragma once

#include <filesystem>
#include <string>

namespace watt::platform {

struct ContainerSettings {
  unsigned threads = 0;      // the pool's threads; 0 = one per core
  unsigned agent_queue = 0;  // messages that may wait for one agent; 0 = watt-container's default
};

// Throws watt::Error naming the setting at fault.
void check(const ContainerSettings& s);
// Defaults when there is no file; throws watt::Error on a damaged one.
ContainerSettings load_container_settings(const std::filesystem::path& dir, const std::string& name);
void save_container_settings(const std::filesystem::path& dir, const std::string& name, const ContainerSettings& s);

}  // namespace watt::platform
