// The installed agents on disk: $WATT_HOME/agents/<identity>/ holding the
// library (agent.so), its configuration (config.yml) and agent.yml metadata.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace watt::platform {

struct InstalledAgent {
  std::string identity;
  std::string source;      // where the library was installed from
  std::string class_name;
  std::int64_t installed_ns = 0;
  std::filesystem::path dir;
  std::filesystem::path library() const { return dir / "agent.so"; }
  std::filesystem::path config() const { return dir / "config.yml"; }
  bool has_config() const { return std::filesystem::exists(config()); }
};

class AgentRegistry {
public:
  explicit AgentRegistry(std::filesystem::path agents_dir);

  // Reads every agents/*/agent.yml; a damaged entry is skipped with a
  // warning returned in `problems`, never fatal for the others.
  void load(std::vector<std::string>& problems);

  // Copies the library (and config text, if any) in, atomically: a half
  // installed agent is never visible. Throws watt::Error.
  const InstalledAgent& install(const std::string& identity, const std::filesystem::path& library,
                                const std::string& class_name, const std::string& config_text);
  void remove(const std::string& identity);

  const InstalledAgent* find(const std::string& identity) const;
  const std::map<std::string, InstalledAgent>& all() const noexcept { return agents_; }

private:
  std::filesystem::path dir_;
  std::map<std::string, InstalledAgent> agents_;
};

// Writes a file so a crash leaves either the old or the new content:
// temp file, fsync, rename, fsync of the directory.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

}  // namespace watt::platform
