// Starting a child program for the platform: argv, output to a file, and
// isolation from wattd's own signal handling.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace watt::platform {

struct SpawnOptions {
  std::filesystem::path output;  // stdout and stderr go here
  bool append = true;            // false: truncate the file first
  // NAME=VALUE: set in the child's environment, over wattd's own.
  std::vector<std::string> environment;
};

// The child gets its own process group (a Ctrl-C at wattd's terminal is
// wattd's to pass on), stdin from /dev/null, and the default signal mask and
// handlers rather than wattd's. Throws watt::Error when it cannot start.
pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& options);

}  // namespace watt::platform
