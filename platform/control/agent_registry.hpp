// The installed agents on disk: $WATT_HOME/agents/<identity>/ holding the
// library (agent.so, a link to its content in the library store) and
// agent.yml (where it came from, and how the platform runs it).
// Configurations live in the config store.
#pragma once

#include "library_store.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace watt::platform {

struct InstalledAgent {
  std::string identity;
  std::string source;  // where the library was installed from
  std::string class_name;
  std::int64_t installed_ns = 0;
  std::string restart = "on-failure";  // never | on-failure | always
  bool enabled = false;                // started with the platform
  int priority = 50;                   // enabled agents start lowest first
  std::string container;               // runs in this container; empty = a process of its own
  std::filesystem::path dir;
  std::filesystem::path library() const { return dir / "agent.so"; }
};

class AgentRegistry {
public:
  explicit AgentRegistry(std::filesystem::path agents_dir);

  // Reads every agents/*/agent.yml; a damaged entry is skipped with a
  // warning returned in `problems`, never fatal for the others.
  void load(std::vector<std::string>& problems);

  // Links the library in, atomically: a half-installed agent is never
  // visible. Throws watt::Error.
  const InstalledAgent& install(const InstalledAgent& agent, const std::filesystem::path& library);
  // Changes how an installed agent is run; agent.yml is rewritten atomically.
  const InstalledAgent& update(const std::string& identity, const std::function<void(InstalledAgent&)>& change);
  void remove(const std::string& identity);

  const InstalledAgent* find(const std::string& identity) const;
  const std::map<std::string, InstalledAgent>& all() const noexcept { return agents_; }

private:
  std::filesystem::path dir_;
  LibraryStore store_;
  std::map<std::string, InstalledAgent> agents_;
};

// Writes a file so a crash leaves either the old or the new content:
// temp file, fsync, rename, fsync of the directory.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

}  // namespace watt::platform
