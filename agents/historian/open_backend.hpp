// Opens the configured back end: one instance per thread that uses it.
#pragma once

#include "backend.hpp"
#include "historian_config.hpp"

#include <memory>

namespace watt::historian {

std::unique_ptr<Backend> open_backend(const HistorianConfig& config);

}  // namespace watt::historian
