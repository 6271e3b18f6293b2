// The config store: every agent's named configurations (YAML, JSON, or raw
// files such as CSV registries), in one SQLite database under $WATT_HOME.
// Every write is one transaction: a crash leaves the old or the new value.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace watt::sqlite {
class Database;
}

namespace watt::platform {

struct ConfigEntry {
  std::string identity;
  std::string name;
  std::int64_t updated_ns = 0;
  std::uint64_t bytes = 0;
};

class ConfigStore {
public:
  // Opens or creates the database and checks its integrity. A damaged file
  // is never repaired or replaced: this throws watt::Error saying so, and the
  // file stays as it was for the operator to restore.
  explicit ConfigStore(const std::filesystem::path& file);
  ~ConfigStore();
  ConfigStore(const ConfigStore&) = delete;
  ConfigStore& operator=(const ConfigStore&) = delete;

  // Returns true when the configuration is new, false when it replaced one.
  bool set(const std::string& identity, const std::string& name, const std::string& text);
  std::optional<std::string> get(const std::string& identity, const std::string& name) const;
  // Every configuration of `identity` (all identities when empty), by name.
  std::vector<ConfigEntry> list(const std::string& identity = {}) const;
  // (name, text) of every configuration of `identity`, by name.
  std::vector<std::pair<std::string, std::string>> all_of(const std::string& identity) const;
  bool remove(const std::string& identity, const std::string& name);
  std::size_t remove_all(const std::string& identity);

private:
  std::filesystem::path file_;
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace watt::platform
