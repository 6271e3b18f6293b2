#include "sqlite_backend.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <watt/sqlite/database.hpp>

#include <string>
#include <unordered_map>

namespace watt::historian {
namespace {

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS topics(
  topic_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  metadata TEXT);
CREATE TABLE IF NOT EXISTS data(
  ts INTEGER NOT NULL,
  topic_id INTEGER NOT NULL,
  value_number REAL,
  value_json TEXT,
  PRIMARY KEY (topic_id, ts)) WITHOUT ROWID;
)sql";

class SqliteBackend final : public Backend {
public:
  explicit SqliteBackend(const SqliteOptions& o)
      : db_(o.file, {.create = true, .synchronous = o.synchronous, .bulk = true}),
        insert_topic_(prepare_schema_then(db_, "INSERT OR IGNORE INTO topics(name) VALUES(?)")),
        find_topic_(db_, "SELECT topic_id, metadata FROM topics WHERE name=?"),
        set_metadata_(db_, "UPDATE topics SET metadata=? WHERE topic_id=?"),
        insert_(db_, "INSERT OR IGNORE INTO data(ts, topic_id, value_number, value_json) VALUES(?,?,?,?)") {}

  std::string describe() const override { return "sqlite:" + db_.file(); }

  void store(std::span<const Record> records) override {
    std::unordered_map<std::string, Topic> fresh;  // joins the cache only once committed
    try {
      sqlite::Transaction tx(db_);
      for (const auto& r : records) {
        Topic& t = topic(r.topic, fresh);
        if (r.metadata && t.metadata != r.metadata) {
          set_metadata_.bind(1, *r.metadata).bind(2, t.id).run();
          t.metadata = r.metadata;
        }
        insert_.bind(1, r.ts_ns).bind(2, t.id).bind(3, r.number).bind(4, r.json).run();
      }
      tx.commit();
    } catch (const sqlite::Error& e) {
      // The cached metadata may now be ahead of the file: forget it all.
      topics_.clear();
      throw BackendError(e.what());
    }
    for (auto& [name, t] : fresh) topics_[name] = std::move(t);
  }

  std::vector<Sample> query(const Query& q) override {
    try {
      find_topic_.bind(1, std::string_view(q.topic));
      if (!find_topic_.step()) {
        find_topic_.reset();
        return {};
      }
      const auto id = find_topic_.integer(0);
      find_topic_.reset();
      const char* dir = q.order == Order::first_to_last ? "ASC" : "DESC";
      std::string sql;
      if (q.agg == Aggregate::none) {
        sql = std::string(
                  "SELECT ts, value_number, value_json FROM data WHERE topic_id=?1 AND ts>=?2 AND ts<?3 "
                  "ORDER BY ts ") +
              dir + " LIMIT ?4";
      } else if (q.period_ns > 0) {
        sql = std::string("SELECT ts/?5*?5 AS bucket, ") + aggregate_sql(q.agg) +
              " FROM data WHERE topic_id=?1 AND ts>=?2 AND ts<?3 GROUP BY bucket ORDER BY bucket " + dir + " LIMIT ?4";
      } else {
        sql = std::string("SELECT min(ts), ") + aggregate_sql(q.agg) +
              " FROM data WHERE topic_id=?1 AND ts>=?2 AND ts<?3 HAVING count(*)>0 LIMIT ?4";
      }
      sqlite::Statement s(db_, sql);
      s.bind(1, id).bind(2, q.start_ns).bind(3, q.end_ns).bind(4, q.count);
      if (q.agg != Aggregate::none && q.period_ns > 0) s.bind(5, q.period_ns);
      std::vector<Sample> out;
      while (s.step()) {
        Sample sample;
        sample.ts_ns = s.integer(0);
        sample.number = s.optional_real(1);
        if (q.agg == Aggregate::none) sample.json = s.optional_text(2);
        out.push_back(std::move(sample));
      }
      return out;
    } catch (const sqlite::Error& e) {
      throw BackendError(e.what());
    }
  }

  std::vector<TopicInfo> topics() override {
    try {
      sqlite::Statement s(db_, "SELECT name, metadata FROM topics ORDER BY name");
      std::vector<TopicInfo> out;
      while (s.step()) out.push_back({s.text(0), s.optional_text(1)});
      return out;
    } catch (const sqlite::Error& e) {
      throw BackendError(e.what());
    }
  }

  std::optional<std::string> metadata(const std::string& topic) override {
    try {
      find_topic_.bind(1, topic);
      std::optional<std::string> out;
      if (find_topic_.step()) out = find_topic_.optional_text(1);
      find_topic_.reset();
      return out;
    } catch (const sqlite::Error& e) {
      throw BackendError(e.what());
    }
  }

  std::int64_t prune(std::int64_t before_ns) override {
    try {
      // Topic by topic, so each delete walks the (topic_id, ts) key instead
      // of scanning the whole table.
      std::vector<std::int64_t> ids;
      sqlite::Statement list(db_, "SELECT topic_id FROM topics");
      while (list.step()) ids.push_back(list.integer(0));
      sqlite::Statement del(db_, "DELETE FROM data WHERE topic_id=? AND ts<?");
      std::int64_t removed = 0;
      sqlite::Transaction tx(db_);
      for (const auto id : ids) {
        del.bind(1, id).bind(2, before_ns).run();
        removed += db_.changes();
      }
      tx.commit();
      return removed;
    } catch (const sqlite::Error& e) {
      throw BackendError(e.what());
    }
  }

private:
  struct Topic {
    std::int64_t id = 0;
    std::optional<std::string> metadata;
  };

  static sqlite::Database& prepare_schema(sqlite::Database& db) {
    db.exec(schema);
    return db;
  }
  static sqlite::Statement prepare_schema_then(sqlite::Database& db, std::string_view sql) {
    return sqlite::Statement(prepare_schema(db), sql);
  }

  Topic& topic(const std::string& name, std::unordered_map<std::string, Topic>& fresh) {
    if (auto it = topics_.find(name); it != topics_.end()) return it->second;
    if (auto it = fresh.find(name); it != fresh.end()) return it->second;
    insert_topic_.bind(1, std::string_view(name)).run();
    find_topic_.bind(1, std::string_view(name));
    if (!find_topic_.step()) db_.fail("topic vanished");
    Topic t{find_topic_.integer(0), find_topic_.optional_text(1)};
    find_topic_.reset();
    return fresh.emplace(name, std::move(t)).first->second;
  }

  mutable sqlite::Database db_;
  sqlite::Statement insert_topic_;
  sqlite::Statement find_topic_;
  sqlite::Statement set_metadata_;
  sqlite::Statement insert_;
  std::unordered_map<std::string, Topic> topics_;
};

}  // namespace

std::unique_ptr<Backend> open_sqlite_backend(const SqliteOptions& options) {
  try {
    auto backend = std::make_unique<SqliteBackend>(options);
    if (options.file_mode) {
      // SQLite gives a -wal or -shm file it makes the database's own mode;
      // those made already are set too.
      for (const char* suffix : {"", "-wal", "-shm"}) {
        const std::string f = options.file + suffix;
        if (::chmod(f.c_str(), *options.file_mode) != 0 && errno != ENOENT)
          throw BackendError("cannot set the mode of " + f + ": " + std::strerror(errno));
      }
    }
    return backend;
  } catch (const sqlite::Error& e) {
    throw BackendError(e.what());
  }
}

}  // namespace watt::historian
