// CPU and memory of a process on this machine, from /proc: what the
// overview shows for each agent. CPU is the share of one core used since the
// previous look at the same process.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>

namespace watt::web {

struct ProcUsage {
  double cpu_percent = 0;  // of one core, since the last sample (0 on the first)
  std::uint64_t rss_bytes = 0;
};

class ProcStats {
public:
  // None when the process is gone or not on this machine.
  std::optional<ProcUsage> sample(std::int64_t pid);

private:
  struct Last {
    std::uint64_t ticks = 0;
    std::chrono::steady_clock::time_point when;
  };
  std::map<std::int64_t, Last> last_;
};

}  // namespace watt::web
