// The PostgreSQL back end, through libpqxx: a time-partitioned data table for
// installations that outgrow one SQLite file.
#pragma once

#include "backend.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace watt::historian {

struct PostgresOptions {
  // A libpq connection string ("host=127.0.0.1 port=5432 dbname=watt user=watt").
  std::string connection;
  // Width of one partition of the data table.
  std::int64_t partition_ns = 86'400'000'000'000;  // one day
};

// Connects and creates the schema when missing. Throws BackendError when the
// server cannot be reached; the returned back end reconnects by itself after
// a lost connection (each failed call throws BackendError meanwhile).
std::unique_ptr<Backend> open_postgres_backend(const PostgresOptions& options);

}  // namespace watt::historian
