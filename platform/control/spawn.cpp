// spawn(): posix_spawn with the platform's conventions.
#include "spawn.hpp"

#include <watt/error.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

#include <algorithm>
#include <cstring>
#include <string_view>

extern char** environ;

namespace watt::platform {
namespace {

// wattd's environment with each of `over` (NAME=VALUE) in place of its own.
std::vector<std::string> environment(const std::vector<std::string>& over) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const auto name = entry.substr(0, entry.find('=') + 1);
    const bool replaced =
        std::any_of(over.begin(), over.end(), [&](const std::string& o) { return o.starts_with(name); });
    if (!replaced) env.emplace_back(entry);
  }
  env.insert(env.end(), over.begin(), over.end());
  return env;
}

}  // namespace

pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) throw Error("spawn: empty command");
  std::vector<std::string> args = argv;
  std::vector<char*> raw;
  raw.reserve(args.size() + 1);
  for (auto& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);

  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, options.output.c_str(),
                                   O_WRONLY | O_CREAT | (options.append ? O_APPEND : O_TRUNC), 0600);
  posix_spawn_file_actions_adddup2(&files, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const auto env = environment(options.environment);
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));  // posix_spawn's type; it does not write
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, raw[0], &files, &attr, raw.data(), envp.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw Error("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

}  // namespace watt::platform
