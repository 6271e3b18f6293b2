// A thin RAII layer over sqlite3 for the historian's two SQLite files (the
// backup cache and the SQLite back end): open with the pragmas we rely on,
// prepared statements, transactions. Errors throw SqliteError naming the file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace watt::historian {

struct SqliteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class SqliteDb;

class SqliteStmt {
public:
  SqliteStmt() = default;
  SqliteStmt(SqliteDb& db, std::string_view sql);
  SqliteStmt(SqliteStmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  SqliteStmt& operator=(SqliteStmt&& o) noexcept;
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;
  ~SqliteStmt() { sqlite3_finalize(stmt_); }

  // Parameters are 1-based, as in SQLite; the text is copied.
  SqliteStmt& bind(int i, std::int64_t v);
  SqliteStmt& bind(int i, double v);
  SqliteStmt& bind(int i, std::string_view v);
  SqliteStmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  SqliteStmt& bind(int i, const std::optional<double>& v);
  SqliteStmt& bind(int i, const std::optional<std::string>& v);
  // Steps once: true while a row is ready, false when done. Throws on error.
  bool step();
  // Steps to the end, then resets for the next use.
  void run();
  void reset();

  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string text(int col) const;
  std::optional<double> optional_real(int col) const;
  std::optional<std::string> optional_text(int col) const;

private:
  SqliteDb* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
public:
  // Opens (creating when `create`) in WAL mode with a busy timeout, so two
  // connections (one writer, one reader) share the file. `synchronous` is
  // "FULL" (a commit survives power loss) or "NORMAL" (survives a crash of
  // the process, which WAL makes cheap).
  SqliteDb(std::string file, bool create, std::string_view synchronous = "FULL");
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  void exec(std::string_view sql);
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  // Throws SqliteError with the file name and SQLite's own message.
  [[noreturn]] void fail(std::string_view what) const;
  const std::string& file() const { return file_; }
  sqlite3* handle() const { return db_; }

private:
  std::string file_;
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE … COMMIT; rolls back when left without commit(). IMMEDIATE
// takes the write lock up front, so two writers wait (busy timeout) instead
// of deadlocking on an upgrade.
class SqliteTransaction {
public:
  explicit SqliteTransaction(SqliteDb& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  ~SqliteTransaction();
  void commit();

private:
  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace watt::historian
