// The embedded default back end: one SQLite file, WAL, prepared statements,
// one transaction per batch.
#pragma once

#include "backend.hpp"

#include <memory>
#include <optional>
#include <string>

namespace watt::historian {

struct SqliteOptions {
  std::string file;
  std::string synchronous = "FULL";  // or NORMAL: see sqlite::Database
  // The database's permission bits (its -wal and -shm files follow), e.g.
  // 0640 for a dashboard's group to read it; unset: the process's default.
  std::optional<unsigned> file_mode = std::nullopt;
};

// Creates the file and schema when missing. Throws BackendError when the file
// cannot be opened (a missing directory, a damaged file, no permission).
std::unique_ptr<Backend> open_sqlite_backend(const SqliteOptions& options);

}  // namespace watt::historian
