#include "open_backend.hpp"

namespace watt::historian {

std::unique_ptr<Backend> open_backend(const HistorianConfig& config) {
  if (config.backend == BackendKind::postgresql) return open_postgres_backend(config.postgres);
  return open_sqlite_backend(config.sqlite);
}

}  // namespace watt::historian
