// A process's memory as /proc shows it, for the benchmarks: resident set and
// its anonymous/file split (status) and Pss (smaps_rollup), which charges
// each shared page to its sharers in proportion, so sums over processes add up.
#pragma once

#include <sys/types.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace bench {

namespace detail {
// The number after "<field>:" in a /proc file of `key: value kB` lines; -1 if absent.
inline long proc_field_kib(const std::string& file, const std::string& field) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}
}  // namespace detail

// A field of /proc/<pid>/status in KiB (VmRSS, RssAnon, ...); -1 if absent.
inline long proc_status_kib(pid_t pid, const std::string& field) {
  return detail::proc_field_kib("/proc/" + std::to_string(pid) + "/status", field);
}

// A field of /proc/<pid>/smaps_rollup in KiB (Pss); -1 if absent.
inline long smaps_rollup_kib(pid_t pid, const std::string& field) {
  return detail::proc_field_kib("/proc/" + std::to_string(pid) + "/smaps_rollup", field);
}

struct Mem {
  long rss = -1, anon = -1, file = -1, pss = -1;  // KiB
};

inline Mem mem_of(pid_t pid) {
  return {proc_status_kib(pid, "VmRSS"), proc_status_kib(pid, "RssAnon"), proc_status_kib(pid, "RssFile"),
          smaps_rollup_kib(pid, "Pss")};
}

}  // namespace bench
