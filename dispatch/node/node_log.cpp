// watt-node's log lines: see node_log.hpp.
#include "node_log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace watt::node {

void log_line(Level level, const std::string& line) {
  const auto now = std::chrono::system_clock::now();
  const auto t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm local{};
  ::localtime_r(&t, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
  const char* name = level == Level::info ? "info" : level == Level::warn ? "warning" : "error";
  std::fprintf(stderr, "[%s.%03d] [%s] %s\n", stamp, static_cast<int>(ms), name, line.c_str());
}

}  // namespace watt::node
