// AgentRegistry: installed agents as folders under $WATT_HOME/agents.
#include "agent_registry.hpp"

#include <watt/clock.hpp>
#include <watt/error.hpp>

#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace watt::platform {
namespace {

void fsync_path(const fs::path& p, int flags) {
  const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open " + p.string() + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw Error("cannot fsync " + p.string() + ": " + std::strerror(errno));
}

std::string to_yaml(const InstalledAgent& a) {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "identity" << YAML::Value << a.identity;
  y << YAML::Key << "source" << YAML::Value << a.source;
  y << YAML::Key << "class" << YAML::Value << a.class_name;
  y << YAML::Key << "installed_ns" << YAML::Value << a.installed_ns;
  y << YAML::Key << "restart" << YAML::Value << a.restart;
  y << YAML::Key << "enabled" << YAML::Value << a.enabled;
  y << YAML::Key << "priority" << YAML::Value << a.priority;
  if (!a.container.empty()) y << YAML::Key << "container" << YAML::Value << a.container;
  y << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

}  // namespace

void write_file_atomic(const fs::path& path, const std::string& content) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) throw Error("cannot write " + tmp.string());
  }
  fsync_path(tmp, O_RDONLY);
  fs::rename(tmp, path);
  fsync_path(path.parent_path(), O_RDONLY | O_DIRECTORY);
}

AgentRegistry::AgentRegistry(fs::path agents_dir) : dir_(std::move(agents_dir)), store_(dir_ / ".libraries") {
  fs::create_directories(dir_);
}

void AgentRegistry::load(std::vector<std::string>& problems) {
  agents_.clear();
  for (const auto& entry : fs::directory_iterator(dir_)) {
    if (!entry.is_directory() || entry.path().filename().string().starts_with(".")) continue;
    const auto meta = entry.path() / "agent.yml";
    try {
      const YAML::Node y = YAML::LoadFile(meta.string());
      InstalledAgent a;
      a.identity = y["identity"].as<std::string>();
      a.source = y["source"].as<std::string>("");
      a.class_name = y["class"].as<std::string>("");
      a.installed_ns = y["installed_ns"].as<std::int64_t>(0);
      a.restart = y["restart"].as<std::string>("on-failure");
      a.enabled = y["enabled"].as<bool>(false);
      a.priority = y["priority"].as<int>(50);
      a.container = y["container"].as<std::string>("");
      a.dir = entry.path();
      if (a.identity != entry.path().filename().string())
        throw Error("identity '" + a.identity + "' does not match its folder");
      if (!fs::exists(a.library())) throw Error("agent.so is missing");
      agents_.emplace(a.identity, std::move(a));
    } catch (const std::exception& e) {
      problems.push_back("skipping installed agent " + entry.path().string() + ": " + e.what());
    }
  }
}

const InstalledAgent& AgentRegistry::install(const InstalledAgent& agent, const fs::path& library) {
  const std::string& identity = agent.identity;
  if (agents_.contains(identity)) throw Error("an agent '" + identity + "' is already installed; remove it first");
  InstalledAgent a = agent;
  a.source = fs::absolute(library).string();
  a.installed_ns = now_ns();
  a.dir = dir_ / identity;
  // Built in a hidden staging folder and renamed into place in one step.
  const fs::path staging = dir_ / ("." + identity + ".installing");
  const fs::path stored = store_.put(library);
  fs::remove_all(staging);
  fs::create_directories(staging);
  try {
    LibraryStore::place(stored, staging / "agent.so");
    write_file_atomic(staging / "agent.yml", to_yaml(a));
    fs::rename(staging, a.dir);
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(staging);
    throw Error("cannot install '" + identity + "': " + e.what());
  }
  return agents_.emplace(identity, std::move(a)).first->second;
}

const InstalledAgent& AgentRegistry::update(const std::string& identity,
                                            const std::function<void(InstalledAgent&)>& change) {
  auto it = agents_.find(identity);
  if (it == agents_.end()) throw Error("no agent '" + identity + "' is installed");
  InstalledAgent changed = it->second;
  change(changed);
  write_file_atomic(changed.dir / "agent.yml", to_yaml(changed));
  it->second = std::move(changed);
  return it->second;
}

void AgentRegistry::remove(const std::string& identity) {
  auto it = agents_.find(identity);
  if (it == agents_.end()) throw Error("no agent '" + identity + "' is installed");
  // Renamed away first so a crash midway leaves no half-removed agent behind.
  const fs::path trash = dir_ / ("." + identity + ".removing");
  fs::remove_all(trash);
  fs::rename(it->second.dir, trash);
  fs::remove_all(trash);
  agents_.erase(it);
  store_.prune();
}

const InstalledAgent* AgentRegistry::find(const std::string& identity) const {
  auto it = agents_.find(identity);
  return it == agents_.end() ? nullptr : &it->second;
}

}  // namespace watt::platform
