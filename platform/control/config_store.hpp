// The config store: every agent's named configurations (YAML, JSON, or raw
// files such as CSV registries), in one SQLite database under $WATT_HOME.
// Every write is one transaction: a crash leaves the old or the new value.
// Each write is then checkpointed into the database file itself, so that a
// copy of config.db alone, even taken while the platform runs, holds it.
// Beside it, config.db.count says how many configurations it held after the
// last write: a store that held some and opens empty (its write-ahead log
// damaged or lost, the file emptied) is refused rather than started empty.
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
  std::size_t count() const;

  // A consistent copy of the whole store in `to` (SQLite's online backup).
  void backup(const std::filesystem::path& to);

private:
  // The count beside the store: written before a removal (so that it is
  // never above what the store holds, whatever a crash interrupts), after
  // an addition.
  void record_count(std::size_t n) const;
  void refuse_if_emptied() const;
  void written() const;

  std::filesystem::path file_;
  std::filesystem::path count_file_;
  std::unique_ptr<sqlite::Database> db_;
};

}  // namespace watt::platform
