#include "container_settings.hpp"

#include "agent_registry.hpp"

#include <watt/error.hpp>

#include <yaml-cpp/yaml.h>

namespace watt::platform {

namespace fs = std::filesystem;

void check(const ContainerSettings& s) {
  if (s.threads > 256)
    throw Error("threads must be 1 to 256 (or 0 for one per core), not " + std::to_string(s.threads));
  if (s.agent_queue == 1 || s.agent_queue > 10'000'000)
    throw Error("agent-queue must be 2 to 10,000,000 (or 0 for the default), not " + std::to_string(s.agent_queue));
}

ContainerSettings load_container_settings(const fs::path& dir, const std::string& name) {
  const fs::path file = dir / (name + ".yml");
  ContainerSettings s;
  if (!fs::exists(file)) return s;
  try {
    const YAML::Node y = YAML::LoadFile(file.string());
    s.threads = y["threads"].as<unsigned>(0);
    s.agent_queue = y["agent_queue"].as<unsigned>(0);
    check(s);
  } catch (const std::exception& e) {
    throw Error("container settings " + file.string() + ": " + e.what());
  }
  return s;
}

void save_container_settings(const fs::path& dir, const std::string& name, const ContainerSettings& s) {
  check(s);
  fs::create_directories(dir);
  write_file_atomic(dir / (name + ".yml"),
                    "threads: " + std::to_string(s.threads) + "\nagent_queue: " + std::to_string(s.agent_queue) + "\n");
}

}  // namespace watt::platform
