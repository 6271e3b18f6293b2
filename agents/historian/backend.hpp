// The one interface every storage back end (SQLite, PostgreSQL) implements.
// Schema idea, the same in each: topics(topic_id, name, metadata) and
// data(ts, topic_id, value_number, value_json) keyed by (topic_id, ts).
#pragma once

#include "record.hpp"

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace watt::historian {

// The back end cannot do what was asked right now (down, refused, full);
// the caller keeps its records and tries again later.
struct BackendError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Order { first_to_last, last_to_first };
enum class Aggregate { none, avg, min, max, sum, count };

struct Query {
  std::string topic;
  std::int64_t start_ns = std::numeric_limits<std::int64_t>::min();  // inclusive
  std::int64_t end_ns = std::numeric_limits<std::int64_t>::max();    // exclusive
  std::int64_t count = 1000;                                         // at most this many samples (rows or buckets)
  Order order = Order::first_to_last;
  Aggregate agg = Aggregate::none;
  // With an aggregate: bucket width; buckets are aligned to the epoch
  // (ts / period * period). 0 = one bucket for the whole range, stamped with
  // the first sample's time.
  std::int64_t period_ns = 0;
};

// The SQL of an aggregate over the data table's columns; the same in every
// back end ("" for none).
inline const char* aggregate_sql(Aggregate a) {
  switch (a) {
    case Aggregate::avg: return "avg(value_number)";
    case Aggregate::min: return "min(value_number)";
    case Aggregate::max: return "max(value_number)";
    case Aggregate::sum: return "sum(value_number)";
    case Aggregate::count: return "count(*)";
    case Aggregate::none: break;
  }
  return "";
}

// One stored value, or one aggregate bucket (then only `number` is set:
// avg/min/max/sum over the bucket's numeric values, null when it had none;
// count of all its records).
struct Sample {
  std::int64_t ts_ns = 0;
  std::optional<double> number;
  std::optional<std::string> json;
};

struct TopicInfo {
  std::string name;
  std::optional<std::string> metadata;  // JSON object text
};

class Backend {
public:
  virtual ~Backend() = default;
  // For logs and `status`: kind and location, never a password.
  virtual std::string describe() const = 0;
  // Stores the records in one transaction. A record whose topic and timestamp
  // are already stored is skipped, so a batch replayed after a crash never
  // makes duplicates. Throws BackendError when the back end cannot take them;
  // then nothing of the batch is stored.
  virtual void store(std::span<const Record> records) = 0;
  // Samples of one topic in [start, end), ordered by time, at most `count`.
  // An unknown topic gives no samples.
  virtual std::vector<Sample> query(const Query& q) = 0;
  // Every stored topic, sorted by name, with its latest metadata.
  virtual std::vector<TopicInfo> topics() = 0;
  // One topic's latest metadata; none for an unknown topic or one without.
  virtual std::optional<std::string> metadata(const std::string& topic) = 0;
  // Removes every sample older than before_ns; returns how many.
  virtual std::int64_t prune(std::int64_t before_ns) = 0;
};

}  // namespace watt::historian
