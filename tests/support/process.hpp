// A child process for integration tests: output captured to files, killed
// (with its process group) if the test ends before it does.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace watt::test {

struct Exit {
  int code = -1;  // exit code, or 128 + signal
  std::string out;
  std::string err;
};

class Process {
public:
  // Starts argv[0] with the given extra environment; stdout and stderr go
  // to files in `scratch` (read them with out() / err()).
  Process(std::vector<std::string> argv, const std::filesystem::path& scratch,
          const std::map<std::string, std::string>& env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Waits for the exit; nullopt when the timeout passes first.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  void signal(int sig);
  // SIGTERM, then SIGKILL after `grace`; returns the exit code.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  std::string out() const;
  std::string err() const;

private:
  pid_t pid_ = -1;
  std::optional<int> exit_;
  std::filesystem::path out_, err_;
};

// Runs a command to completion (killed after `timeout`).
Exit run(std::vector<std::string> argv, const std::filesystem::path& scratch,
         const std::map<std::string, std::string>& env = {},
         std::chrono::milliseconds timeout = std::chrono::milliseconds(60000));

std::string read_file(const std::filesystem::path& p);

// Paths of the tree under test (set by tests/CMakeLists.txt).
std::filesystem::path bin_dir();
std::filesystem::path lib_dir();
std::filesystem::path fixture_dir();

// Raises this process's soft limit of open files to its hard limit: for the
// tests and benchmarks that hold hundreds of sockets.
void raise_descriptor_limit();

// Polls `done` every few milliseconds until it holds or the timeout passes.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// A loopback TCP port nobody listens on now. Another process may take it
// before the caller binds it; servers started on it say so and are retried.
int free_port();

}  // namespace watt::test
