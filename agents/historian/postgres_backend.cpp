// The PostgreSQL back end: one connection, dropped after any failure and
// opened again by the next call; caches of topic ids and partitions that
// change only once the transaction that made the change has committed.
#include "postgres_backend.hpp"

#include "postgres_arrays.hpp"
#include "postgres_conninfo.hpp"
#include "postgres_partitions.hpp"
#include "postgres_schema.hpp"

#include <pqxx/pqxx>

#include <mutex>
#include <unordered_map>

namespace watt::historian {
namespace {

using namespace postgres;

struct Topic {
  int id = 0;
  std::optional<std::string> metadata;
};

std::optional<double> number_of(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<double>();
}

std::optional<std::string> text_of(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

// libpq's messages span lines ("…failed: Connection refused\n\tIs the
// server running…"); a log line wants one.
std::string one_line(const std::string& s) {
  std::string out;
  for (const char c : s) {
    const bool space = c == '\n' || c == '\t' || c == '\r' || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

class PostgresBackend final : public Backend {
public:
  explicit PostgresBackend(const PostgresOptions& options)
      : info_(parse_conninfo(options.connection)), partition_ns_(options.partition_ns) {
    if (partition_ns_ <= 0) throw std::invalid_argument("partition_ns must be positive");
    guarded("connect", [] {});
  }

  std::string describe() const override { return info_.description; }

  void store(std::span<const Record> records) override {
    if (records.empty()) return;
    guarded("store", [&] {
      pqxx::work w(*conn_);
      auto ids = resolve_topics(w, records);
      auto partitions = ensure_partitions(w, records);
      ArrayLiteral ts, topic_ids, numbers, jsons;
      for (const auto& r : records) {
        ts.add(r.ts_ns);
        topic_ids.add(std::int64_t{ids.at(r.topic).id});
        numbers.add(r.number);
        jsons.add(r.json);
      }
      w.exec_prepared("insert", ts.str(), topic_ids.str(), numbers.str(), jsons.str());
      w.commit();
      for (auto& [name, topic] : ids) topics_[name] = std::move(topic);
      if (partitions) partitions_ = std::move(*partitions);
    });
  }

  std::vector<Sample> query(const Query& q) override {
    if (q.count <= 0 || q.start_ns >= q.end_ns) return {};
    return guarded("query", [&] {
      pqxx::read_transaction w(*conn_);
      std::vector<Sample> out;
      const auto id = topic_id(w, q.topic);
      if (!id) return out;
      const bool asc = q.order == Order::first_to_last;
      if (q.agg == Aggregate::none) {
        for (const auto& row : w.exec_prepared(asc ? "raw_asc" : "raw_desc", *id, q.start_ns, q.end_ns, q.count))
          out.push_back({row[0].as<std::int64_t>(), number_of(row[1]), text_of(row[2])});
        return out;
      }
      const std::string agg = aggregate_sql(q.agg);
      const std::string range = " from data where topic_id = $1 and ts >= $2 and ts < $3";
      // With a period, buckets aligned to the epoch (integer division, as
      // the contract says); without, one bucket stamped with its first
      // sample, and none at all when the range is empty.
      const auto rows =
          q.period_ns > 0
              ? w.exec_params("select ts / $4::bigint * $4::bigint as bucket, " + agg + range +
                                  " group by bucket order by bucket " + (asc ? "asc" : "desc") + " limit $5",
                              *id, q.start_ns, q.end_ns, q.period_ns, q.count)
              : w.exec_params("select min(ts), " + agg + range + " having count(*) > 0", *id, q.start_ns, q.end_ns);
      for (const auto& row : rows) out.push_back({row[0].as<std::int64_t>(), number_of(row[1]), std::nullopt});
      return out;
    });
  }

  std::vector<TopicInfo> topics() override {
    return guarded("topics", [&] {
      pqxx::read_transaction w(*conn_);
      std::vector<TopicInfo> out;
      // Byte order, as SQLite sorts, whatever the database's collation.
      for (const auto& row : w.exec("select name, metadata from topics order by name collate \"C\""))
        out.push_back({row[0].as<std::string>(), text_of(row[1])});
      return out;
    });
  }

  std::optional<std::string> metadata(const std::string& topic) override {
    return guarded("metadata", [&]() -> std::optional<std::string> {
      pqxx::read_transaction w(*conn_);
      const auto rows = w.exec_prepared("topic", topic);
      if (rows.empty()) return std::nullopt;
      return text_of(rows[0][1]);
    });
  }

  std::int64_t prune(std::int64_t before_ns) override {
    return guarded("prune", [&] {
      pqxx::work w(*conn_);
      std::int64_t removed = 0;
      // Whole partitions go by DROP, much cheaper than deleting their rows;
      // counted first, since the caller is told how many samples went.
      for (const auto& [name, range] : list_partitions(w)) {
        if (!range.to || *range.to > before_ns) continue;
        removed += w.exec1("select count(*) from " + name)[0].as<std::int64_t>();
        w.exec0("drop table " + name);
      }
      removed += static_cast<std::int64_t>(w.exec_params0("delete from data where ts < $1", before_ns).affected_rows());
      auto partitions = by_start(list_partitions(w));
      w.commit();
      partitions_ = std::move(partitions);
      return removed;
    });
  }

private:
  // Runs one call on the connection, opening it first when needed. Any
  // failure becomes a BackendError and drops the connection: the next call
  // starts afresh, with the partitions read again from the catalog (which
  // also heals a partition another process dropped under us).
  //
  // A connection that died while idle (the server restarted since the last
  // call) shows only when used: then the call is tried once more on a new
  // one, so a server that is back is not reported down. Every call may run
  // twice: each is one transaction, and a replayed store skips what is
  // there. A commit cut off midway is in_doubt_error, never retried.
  template <class F>
  auto guarded(const char* what, F&& f) -> decltype(f()) {
    std::lock_guard lock(mu_);
    for (bool retried = false;; retried = true) {
      const bool reused = conn_ != nullptr;
      try {
        if (!conn_) connect();
        return f();
      } catch (const pqxx::broken_connection& e) {
        conn_.reset();
        if (reused && !retried) continue;
        throw failure(what, e);
      } catch (const std::exception& e) {
        conn_.reset();
        throw failure(what, e);
      }
    }
  }

  BackendError failure(const char* what, const std::exception& e) const {
    return BackendError("PostgreSQL " + std::string(what) + " failed (" + info_.description +
                        "): " + one_line(scrub(e.what(), info_.secrets)));
  }

  void connect() {
    auto c = std::make_unique<pqxx::connection>(info_.libpq);
    partitions_ = set_up(*c);
    conn_ = std::move(c);
  }

  // The id of every topic in the batch, adding the new ones, and the latest
  // metadata each record carries written where it differs from the stored.
  // Returned, not cached: the cache must not learn of rows a rollback undoes.
  std::unordered_map<std::string, Topic> resolve_topics(pqxx::work& w, std::span<const Record> records) {
    std::unordered_map<std::string, std::optional<std::string>> latest;  // topic -> its last metadata in the batch
    for (const auto& r : records) {
      auto& m = latest[r.topic];
      if (r.metadata) m = r.metadata;
    }
    std::unordered_map<std::string, Topic> out;
    ArrayLiteral names, metadata;
    bool unknown = false;
    for (const auto& [name, meta] : latest) {
      if (const auto it = topics_.find(name); it != topics_.end()) {
        out.emplace(name, it->second);
      } else {
        names.add(name);
        metadata.add(meta);
        unknown = true;
      }
    }
    if (unknown) {
      w.exec_prepared("topics_add", names.str(), metadata.str());
      for (const auto& row : w.exec_prepared("topics_get", names.str()))
        out[row[1].as<std::string>()] = Topic{row[0].as<int>(), text_of(row[2])};
    }
    for (const auto& [name, meta] : latest) {
      auto& topic = out.at(name);
      if (!meta || meta == topic.metadata) continue;
      w.exec_prepared("topic_meta", topic.id, *meta);
      topic.metadata = meta;
    }
    return out;
  }

  // Creates the partitions the batch needs that do not exist yet; returns
  // the grown set to remember after commit, or nullopt when none was made.
  // Creating one locks the parent table until commit, once per partition
  // width (a day by default): a short stall for readers, rarely.
  std::optional<Partitions> ensure_partitions(pqxx::work& w, std::span<const Record> records) {
    std::optional<Partitions> grown;
    const Range* last = nullptr;  // consecutive records mostly share one
    for (const auto& r : records) {
      if (last != nullptr && last->contains(r.ts_ns)) continue;
      last = find_partition(grown ? *grown : partitions_, r.ts_ns);
      if (last != nullptr) continue;
      if (!grown) grown = partitions_;
      const auto range = new_partition(*grown, r.ts_ns, partition_ns_);
      w.exec0(create_partition_sql(range));
      last = &grown->emplace(range.from, range).first->second;
    }
    return grown;
  }

  // From the cache, else the table (and then cached: the row is committed).
  std::optional<int> topic_id(pqxx::transaction_base& w, const std::string& name) {
    if (const auto it = topics_.find(name); it != topics_.end()) return it->second.id;
    const auto rows = w.exec_prepared("topic", name);
    if (rows.empty()) return std::nullopt;
    Topic t{rows[0][0].as<int>(), text_of(rows[0][1])};
    topics_.emplace(name, t);
    return t.id;
  }

  std::mutex mu_;  // one libpq connection serves one call at a time
  const ConnInfo info_;
  const std::int64_t partition_ns_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unordered_map<std::string, Topic> topics_;
  Partitions partitions_;
};

}  // namespace

std::unique_ptr<Backend> open_postgres_backend(const PostgresOptions& options) {
  return std::make_unique<PostgresBackend>(options);
}

}  // namespace watt::historian
