#include "problems.hpp"

#include <spdlog/logger.h>

namespace watt::detail {

void Problems::report(const std::string& kind, const std::string& text) {
  if (limiter_.count(kind)) log_.warn(text + " (seen " + std::to_string(limiter_.total(kind)) + " times)");
}

}  // namespace watt::detail
