#include <watt/sqlite/database.hpp>

#include <string>

namespace watt::sqlite {

Statement::Statement(Database& db, std::string_view sql) : db_(&db) {
  if (sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_,
                         nullptr) != SQLITE_OK)
    db.fail("prepare");
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

Statement& Statement::bind(int i, std::int64_t v) {
  if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) db_->fail("bind");
  return *this;
}

Statement& Statement::bind(int i, double v) {
  if (sqlite3_bind_double(stmt_, i, v) != SQLITE_OK) db_->fail("bind");
  return *this;
}

Statement& Statement::bind(int i, std::string_view v) {
  if (sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK) db_->fail("bind");
  return *this;
}

Statement& Statement::bind_blob(int i, std::string_view v) {
  if (sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT) != SQLITE_OK) db_->fail("bind");
  return *this;
}

Statement& Statement::bind(int i, const std::optional<double>& v) {
  if (v) return bind(i, *v);
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) db_->fail("bind");
  return *this;
}

Statement& Statement::bind(int i, const std::optional<std::string>& v) {
  if (v) return bind(i, std::string_view(*v));
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) db_->fail("bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);  // so the statement is usable again after the error
  db_->fail("step");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p == nullptr ? std::string() : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::string Statement::blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  return p == nullptr ? std::string() : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<double> Statement::optional_real(int col) const {
  if (is_null(col)) return std::nullopt;
  return real(col);
}

std::optional<std::string> Statement::optional_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

Database::Database(std::string file, const Options& o) : file_(std::move(file)) {
  const int flags = SQLITE_OPEN_READWRITE | (o.create ? SQLITE_OPEN_CREATE : 0) |
                    (o.shared_between_threads ? SQLITE_OPEN_FULLMUTEX : SQLITE_OPEN_NOMUTEX);
  if (sqlite3_open_v2(file_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(file_ + ": " + msg, Error::Kind::open);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Writers of the same file (the cache's ingest and forward sides) wait for
  // each other instead of failing at once.
  sqlite3_busy_timeout(db_, 10'000);
  try {
    if (o.check_first) check();
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=" + o.synchronous);
    if (o.bulk) {
      // Reads through a memory map instead of a copy per page, and a page
      // cache big enough for batches that touch a thousand series at once:
      // without these, the kernel's copying of pages dominated a profile of
      // the historian's ingestion.
      exec("PRAGMA mmap_size=268435456");
      exec("PRAGMA cache_size=-16384");
    }
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

void Database::check() {
  Statement s(*this, "PRAGMA quick_check");
  if (s.step() && s.text(0) != "ok")
    throw Error(file_ + " failed its integrity check (" + s.text(0) + ")", Error::Kind::damaged);
}

Database::~Database() { sqlite3_close(db_); }

void Database::exec(std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw Error(file_ + ": " + msg);
  }
}

void Database::backup_to(const std::string& to) {
  sqlite3* dest = nullptr;
  if (sqlite3_open_v2(to.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    const std::string why = dest != nullptr ? sqlite3_errmsg(dest) : "out of memory";
    sqlite3_close(dest);
    throw Error("cannot write a backup of " + file_ + " to " + to + ": " + why, Error::Kind::open);
  }
  // All pages in one step: the source is small, and no writer waits on it
  // (the backup reads a snapshot; its connection is this one).
  int rc = SQLITE_ERROR;
  if (sqlite3_backup* b = sqlite3_backup_init(dest, "main", db_, "main")) {
    rc = sqlite3_backup_step(b, -1);
    const int finished = sqlite3_backup_finish(b);
    if (rc == SQLITE_DONE) rc = finished;
  }
  const std::string why = sqlite3_errmsg(dest);
  sqlite3_close(dest);
  if (rc != SQLITE_OK) throw Error("cannot back up " + file_ + " to " + to + ": " + why);
}

void Database::fail(std::string_view what) const {
  throw Error(file_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (...) {
    // The connection already rolled back (an I/O error does that); nothing left to undo.
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace watt::sqlite
