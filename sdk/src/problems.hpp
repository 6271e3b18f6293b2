// How the runtime's parts report what goes wrong without flooding the log:
// the first time of each kind, then rarer and rarer (watt::LogLimiter).
#pragma once

#include <watt/log_limiter.hpp>

#include <spdlog/logger.h>

#include <string>

namespace watt::detail {

class Problems {
public:
  explicit Problems(spdlog::logger& log) : log_(log) {}
  void report(const std::string& kind, const std::string& text) {
    if (limiter_.count(kind)) log_.warn("{} (seen {} times)", text, limiter_.total(kind));
  }

private:
  spdlog::logger& log_;
  LogLimiter limiter_;
};

}  // namespace watt::detail
