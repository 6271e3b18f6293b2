#include "proc_stats.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace watt::web {

std::optional<ProcUsage> ProcStats::sample(std::int64_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) {
    last_.erase(pid);
    return std::nullopt;
  }
  // The command name may hold spaces and parentheses: fields count from the
  // last ')'. utime and stime are fields 14 and 15, rss is 24.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  std::uint64_t utime = 0, stime = 0;
  std::int64_t rss_pages = 0;
  for (int i = 3; i <= 24 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
    if (i == 24) rss_pages = std::stoll(field);
  }
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t ticks = utime + stime;
  ProcUsage usage;
  usage.rss_bytes =
      static_cast<std::uint64_t>(rss_pages > 0 ? rss_pages : 0) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  if (const auto it = last_.find(pid); it != last_.end() && ticks >= it->second.ticks) {
    const double seconds = std::chrono::duration<double>(now - it->second.when).count();
    const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    if (seconds > 0) usage.cpu_percent = 100.0 * static_cast<double>(ticks - it->second.ticks) / hz / seconds;
  }
  last_[pid] = Last{ticks, now};
  return usage;
}

}  // namespace watt::web
