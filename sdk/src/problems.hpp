// How the runtime's parts report what goes wrong without flooding the log:
// the first time of each kind, then rarer and rarer (watt::LogLimiter).
// Out of line, so the formatting code is in the library once, not once per
// part that reports.
#pragma once

#include <watt/log_limiter.hpp>

namespace spdlog {
class logger;
}

#include <string>

namespace watt::detail {

class Problems {
public:
  explicit Problems(spdlog::logger& log) : log_(log) {}
  void report(const std::string& kind, const std::string& text);

private:
  spdlog::logger& log_;
  LogLimiter limiter_;
};

}  // namespace watt::detail
