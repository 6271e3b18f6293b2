// ConfigStore on SQLite: WAL, full sync, prepared statements.
#include "config_store.hpp"

#include <watt/clock.hpp>
#include <watt/error.hpp>

#include <sqlite3.h>

#include <chrono>

namespace watt::platform {
namespace {

// One prepared statement, finalized on every path.
class Statement {
public:
  Statement(sqlite3* db, const char* sql, const std::filesystem::path& file) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
      throw Error("config store " + file.string() + ": " + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // True while there is a row.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error(std::string("config store: ") + sqlite3_errmsg(db_));
  }
  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p == nullptr ? std::string() : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const char* sql, const std::filesystem::path& file) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    throw Error("config store " + file.string() + " is damaged or unreadable (" + msg +
                "); it was left untouched: restore it from a backup, or move it aside to start with an empty store");
  }
}

}  // namespace

ConfigStore::ConfigStore(const std::filesystem::path& file) : file_(file) {
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error("cannot open config store " + file.string() + ": " + msg);
  }
  try {
    {
      // The check comes first, before anything could write to a damaged file.
      Statement check(db_, "PRAGMA quick_check", file_);
      if (check.step() && check.text(0) != "ok")
        throw Error("config store " + file.string() + " failed its integrity check (" + check.text(0) +
                    "); it was left untouched: restore it from a backup, or move it aside to start with an empty "
                    "store");
    }
    exec(db_, "PRAGMA journal_mode=WAL", file_);
    exec(db_, "PRAGMA synchronous=FULL", file_);
    exec(db_,
         "CREATE TABLE IF NOT EXISTS configs (identity TEXT NOT NULL, name TEXT NOT NULL, text TEXT NOT NULL, "
         "updated_ns INTEGER NOT NULL, PRIMARY KEY (identity, name))",
         file_);
  } catch (const Error& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    // "file is not a database" and kin surface from the first statement.
    const std::string what = e.what();
    if (what.find("left untouched") != std::string::npos) throw;
    throw Error("config store " + file.string() + " is damaged or unreadable (" + what +
                "); it was left untouched: restore it from a backup, or move it aside to start with an empty store");
  }
}

ConfigStore::~ConfigStore() { sqlite3_close(db_); }

bool ConfigStore::set(const std::string& identity, const std::string& name, const std::string& text) {
  const bool existed = get(identity, name).has_value();
  Statement s(db_,
              "INSERT INTO configs (identity, name, text, updated_ns) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (identity, name) DO UPDATE SET text = excluded.text, updated_ns = excluded.updated_ns",
              file_);
  s.bind(1, identity).bind(2, name).bind(3, text).bind(4, now_ns()).step();
  return !existed;
}

std::optional<std::string> ConfigStore::get(const std::string& identity, const std::string& name) const {
  Statement s(db_, "SELECT text FROM configs WHERE identity = ? AND name = ?", file_);
  s.bind(1, identity).bind(2, name);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

std::vector<ConfigEntry> ConfigStore::list(const std::string& identity) const {
  Statement s(db_,
              identity.empty()
                  ? "SELECT identity, name, updated_ns, length(CAST(text AS BLOB)) FROM configs ORDER BY identity, name"
                  : "SELECT identity, name, updated_ns, length(CAST(text AS BLOB)) FROM configs WHERE identity = ? "
                    "ORDER BY name",
              file_);
  if (!identity.empty()) s.bind(1, identity);
  std::vector<ConfigEntry> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.integer(2), static_cast<std::uint64_t>(s.integer(3))});
  return out;
}

std::vector<std::pair<std::string, std::string>> ConfigStore::all_of(const std::string& identity) const {
  Statement s(db_, "SELECT name, text FROM configs WHERE identity = ? ORDER BY name", file_);
  s.bind(1, identity);
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step()) out.emplace_back(s.text(0), s.text(1));
  return out;
}

bool ConfigStore::remove(const std::string& identity, const std::string& name) {
  Statement s(db_, "DELETE FROM configs WHERE identity = ? AND name = ?", file_);
  s.bind(1, identity).bind(2, name).step();
  return sqlite3_changes(db_) > 0;
}

std::size_t ConfigStore::remove_all(const std::string& identity) {
  Statement s(db_, "DELETE FROM configs WHERE identity = ?", file_);
  s.bind(1, identity).step();
  return static_cast<std::size_t>(sqlite3_changes(db_));
}

}  // namespace watt::platform
