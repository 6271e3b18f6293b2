// A thin RAII layer over sqlite3, for every SQLite file of the tree (the
// config store, the historian's cache and its SQLite back end): open with the
// pragmas we rely on, prepared statements, transactions. Errors throw
// sqlite::Error naming the file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace watt::sqlite {

struct Error : std::runtime_error {
  // What failed: opening the file, its integrity check (Options::check_first),
  // or a statement (a file that is not a database fails its first one).
  enum class Kind { open, damaged, statement };
  explicit Error(const std::string& what, Kind what_failed = Kind::statement)
      : std::runtime_error(what), kind(what_failed) {}
  Kind kind;
};

class Database;

class Statement {
public:
  Statement() = default;
  Statement(Database& db, std::string_view sql);
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  // Parameters are 1-based, as in SQLite; the text is copied.
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, double v);
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const std::optional<double>& v);
  Statement& bind(int i, const std::optional<std::string>& v);
  // Bytes kept as they are (any byte, NUL too), read back with blob().
  Statement& bind_blob(int i, std::string_view v);
  // Steps once: true while a row is ready, false when done. Throws on error.
  bool step();
  // Steps to the end, then resets for the next use.
  void run();
  void reset();

  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string text(int col) const;
  std::string blob(int col) const;
  std::optional<double> optional_real(int col) const;
  std::optional<std::string> optional_text(int col) const;

private:
  Database* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

struct Options {
  bool create = true;
  // "FULL" (a commit survives power loss) or "NORMAL" (survives a crash of
  // the process, which WAL makes cheap).
  std::string synchronous = "FULL";
  // A memory map and a large page cache, for files read and written in bulk.
  bool bulk = false;
  // Runs PRAGMA quick_check before anything could write to the file; a file
  // that fails it is left as it was and Error says what SQLite found.
  bool check_first = false;
  // One connection used from several threads (SQLite then serializes).
  bool shared_between_threads = false;
};

class Database {
public:
  // Opens in WAL mode with a busy timeout, so two connections (one writer,
  // one reader) share the file.
  Database(std::string file, const Options& options);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  void exec(std::string_view sql);
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  // A consistent copy of the whole database in `to` (replaced if there),
  // made with SQLite's online backup while this connection stays open.
  void backup_to(const std::string& to);
  // Throws Error with the file name and SQLite's own message.
  [[noreturn]] void fail(std::string_view what) const;
  const std::string& file() const { return file_; }
  sqlite3* handle() const { return db_; }

private:
  void check();

  std::string file_;
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE … COMMIT; rolls back when left without commit(). IMMEDIATE
// takes the write lock up front, so two writers wait (busy timeout) instead
// of deadlocking on an upgrade.
class Transaction {
public:
  explicit Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

private:
  Database& db_;
  bool done_ = false;
};

}  // namespace watt::sqlite
