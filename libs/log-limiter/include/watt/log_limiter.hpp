// Logs a recurring problem on its 1st, 10th, 100th… occurrence, with the count,
// so bad input is always visible but can never flood a log:
//
//   if (bad_input_.count("bad_body"))
//     log().warn("dropped a message with an unreadable body ({} so far)", bad_input_.total("bad_body"));
//
// One limiter per component; kinds are whatever strings name the problem.
// Not thread-safe: it belongs to one agent (whose callbacks run one at a time).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace watt {

class LogLimiter {
public:
  // Counts one occurrence of `kind`; true when this one should be logged.
  bool count(const std::string& kind) {
    const auto n = ++counts_[kind];
    if (n < next_log_at(kind)) return false;
    thresholds_[kind] = n * 10;
    return true;
  }
  // How many of `kind` were counted so far, logged or not.
  std::uint64_t total(const std::string& kind) const {
    auto it = counts_.find(kind);
    return it == counts_.end() ? 0 : it->second;
  }

private:
  std::uint64_t next_log_at(const std::string& kind) {
    auto it = thresholds_.find(kind);
    return it == thresholds_.end() ? 1 : it->second;
  }
  std::unordered_map<std::string, std::uint64_t> counts_;
  std::unordered_map<std::string, std::uint64_t> thresholds_;
};

}  // namespace watt
