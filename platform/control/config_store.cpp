// ConfigStore on SQLite: WAL, full sync, prepared statements.
#include "config_store.hpp"

#include <watt/clock.hpp>
#include <watt/error.hpp>
#include <watt/paths.hpp>

#include <watt/sqlite/database.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>

#include <fcntl.h>
#include <unistd.h>

namespace watt::platform {
namespace {

constexpr std::string_view left_untouched =
    "; it was left untouched: restore it from a backup, or move it aside to start with an empty store";

std::unique_ptr<sqlite::Database> open_store(const std::filesystem::path& file) {
  // The integrity check comes first, before anything could write to a
  // damaged file; one connection, shared by the control service's threads.
  const sqlite::Options options{
      .create = true, .synchronous = "FULL", .check_first = true, .shared_between_threads = true};
  try {
    auto db = std::make_unique<sqlite::Database>(file.string(), options);
    db->exec(
        "CREATE TABLE IF NOT EXISTS configs (identity TEXT NOT NULL, name TEXT NOT NULL, text TEXT NOT NULL, "
        "updated_ns INTEGER NOT NULL, PRIMARY KEY (identity, name))");
    return db;
  } catch (const sqlite::Error& e) {
    const std::string what = e.what();
    switch (e.kind) {
      case sqlite::Error::Kind::open: throw Error("cannot open config store " + what);
      case sqlite::Error::Kind::damaged: throw Error("config store " + what + std::string(left_untouched));
      case sqlite::Error::Kind::statement:
        // "file is not a database" and kin surface from the first statement.
        throw Error("config store " + file.string() + " is damaged or unreadable (" + what + ")" +
                    std::string(left_untouched));
    }
    throw;
  }
}

}  // namespace

ConfigStore::ConfigStore(const std::filesystem::path& file)
    : file_(file), count_file_(file.string() + ".count"), db_(open_store(file)) {
  refuse_if_emptied();
}

void ConfigStore::refuse_if_emptied() const {
  std::ifstream in(count_file_);
  std::size_t held = 0;
  if (!(in >> held) || held == 0 || count() > 0) return;
  throw Error("config store " + file_.string() + " holds no configuration, but held " + std::to_string(held) +
              " after its last write: they are lost (an emptied file, or a damaged or missing write-ahead log). "
              "Restore it from a backup (watt config backup FILE makes one), or delete " +
              count_file_.string() + " to start with an empty store");
}

void ConfigStore::record_count(std::size_t n) const {
  // Durable before the store's own commit (which is synced too), so that no
  // power loss leaves it above what the store holds.
  write_file_atomically(count_file_, std::to_string(n) + "\n");
}

void ConfigStore::written() const {
  // Into config.db itself, out of the write-ahead log.
  db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

std::size_t ConfigStore::count() const {
  sqlite::Statement s(*db_, "SELECT COUNT(*) FROM configs");
  return s.step() ? static_cast<std::size_t>(s.integer(0)) : 0;
}

void ConfigStore::backup(const std::filesystem::path& to) {
  try {
    db_->backup_to(to.string());
  } catch (const sqlite::Error& e) {
    throw Error(e.what());
  }
}

ConfigStore::~ConfigStore() = default;

bool ConfigStore::set(const std::string& identity, const std::string& name, const std::string& text) {
  const bool existed = get(identity, name).has_value();
  sqlite::Statement s(
      *db_,
      "INSERT INTO configs (identity, name, text, updated_ns) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (identity, name) DO UPDATE SET text = excluded.text, updated_ns = excluded.updated_ns");
  s.bind(1, identity).bind(2, name).bind(3, text).bind(4, now_ns()).step();
  written();
  if (!existed) record_count(count());
  return !existed;
}

std::optional<std::string> ConfigStore::get(const std::string& identity, const std::string& name) const {
  sqlite::Statement s(*db_, "SELECT text FROM configs WHERE identity = ? AND name = ?");
  s.bind(1, identity).bind(2, name);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

std::vector<ConfigEntry> ConfigStore::list(const std::string& identity) const {
  sqlite::Statement s(
      *db_, identity.empty()
                ? "SELECT identity, name, updated_ns, length(CAST(text AS BLOB)) FROM configs ORDER BY identity, name"
                : "SELECT identity, name, updated_ns, length(CAST(text AS BLOB)) FROM configs WHERE identity = ? "
                  "ORDER BY name");
  if (!identity.empty()) s.bind(1, identity);
  std::vector<ConfigEntry> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.integer(2), static_cast<std::uint64_t>(s.integer(3))});
  return out;
}

std::vector<std::pair<std::string, std::string>> ConfigStore::all_of(const std::string& identity) const {
  sqlite::Statement s(*db_, "SELECT name, text FROM configs WHERE identity = ? ORDER BY name");
  s.bind(1, identity);
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step()) out.emplace_back(s.text(0), s.text(1));
  return out;
}

bool ConfigStore::remove(const std::string& identity, const std::string& name) {
  if (!get(identity, name)) return false;
  record_count(count() - 1);
  sqlite::Statement s(*db_, "DELETE FROM configs WHERE identity = ? AND name = ?");
  s.bind(1, identity).bind(2, name).step();
  written();
  return true;
}

std::size_t ConfigStore::remove_all(const std::string& identity) {
  const std::size_t going = list(identity).size();
  if (going == 0) return 0;
  record_count(count() - going);
  sqlite::Statement s(*db_, "DELETE FROM configs WHERE identity = ?");
  s.bind(1, identity).step();
  const auto removed = static_cast<std::size_t>(db_->changes());
  written();
  return removed;
}

}  // namespace watt::platform
