// The historian's configuration (its stored config named "config"), read
// strictly: an unknown key or a bad value refuses the whole change.
#pragma once

#include "cache.hpp"
#include "decode.hpp"
#include "postgres_backend.hpp"
#include "sqlite_backend.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

namespace watt::historian {

enum class BackendKind { sqlite, postgresql };

struct HistorianConfig {
  std::vector<std::string> patterns = {"devices/#", "record/#", "analysis/#", "ed/#"};
  std::string data_dir;  // default $WATT_HOME/data/<identity>
  BackendKind backend = BackendKind::sqlite;
  SqliteOptions sqlite;  // file relative to data_dir unless absolute
  PostgresOptions postgres;
  CacheOptions cache;  // file relative to data_dir unless absolute
  DecodeLimits limits;
  std::size_t batch_size = 5000;                // records per commit, cache and back end
  std::int64_t flush_interval_ns = 50'000'000;  // longest a record waits for its cache commit
  std::int64_t retry_min_ns = 500'000'000;      // back-end retry backoff, doubling…
  std::int64_t retry_max_ns = 30'000'000'000;   // …up to this
  std::int64_t retention_ns = 0;                // 0 = keep everything
  std::int64_t backlog_records = 50'000;        // cached this many: backlogged even if the back end answers
};

// Throws watt::Error naming the key. `identity` and `home` give the default
// data directory.
HistorianConfig parse_historian_config(const YAML::Node& node, const std::string& identity, const std::string& home);

}  // namespace watt::historian
