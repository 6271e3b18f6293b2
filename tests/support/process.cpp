// Process: posix_spawn with output to files, and a kill on destruction.
#include "process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace watt::test {
namespace {
std::atomic<int> counter{0};
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::filesystem::path bin_dir() { return WATT_TEST_BIN_DIR; }
std::filesystem::path lib_dir() { return WATT_TEST_LIB_DIR; }
std::filesystem::path fixture_dir() { return WATT_TEST_FIXTURE_DIR; }

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

Process::Process(std::vector<std::string> argv, const std::filesystem::path& scratch,
                 const std::map<std::string, std::string>& env) {
  const auto n = std::to_string(::getpid()) + "-" + std::to_string(counter++);
  out_ = scratch / ("proc-" + n + ".out");
  err_ = scratch / ("proc-" + n + ".err");
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);

  // fork/exec rather than posix_spawn, for PR_SET_PDEATHSIG: a test that
  // crashes must not leave its wattd running.
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    ::setpgid(0, 0);                          // its own group: stop() reaches its children too
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
}

Process::~Process() {
  if (!exit_) stop(std::chrono::milliseconds(3000));
}

bool Process::running() {
  if (exit_) return false;
  return !wait(std::chrono::milliseconds(0)).has_value();
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (exit_) return exit_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void Process::signal(int sig) {
  if (!exit_) ::kill(pid_, sig);
}

int Process::stop(std::chrono::milliseconds grace) {
  if (exit_) return *exit_;
  ::kill(pid_, SIGTERM);
  if (auto code = wait(grace)) {
    ::kill(-pid_, SIGKILL);  // anything it left behind in its group
    return *code;
  }
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  return wait(std::chrono::milliseconds(10000)).value_or(-1);
}

std::string Process::out() const { return read_file(out_); }
std::string Process::err() const { return read_file(err_); }

Exit run(std::vector<std::string> argv, const std::filesystem::path& scratch,
         const std::map<std::string, std::string>& env, std::chrono::milliseconds timeout) {
  Process p(std::move(argv), scratch, env);
  Exit e;
  auto code = p.wait(timeout);
  e.code = code ? *code : p.stop();
  e.out = p.out();
  e.err = p.err();
  return e;
}

void raise_descriptor_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &r);
  }
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  // The sockets API takes a sockaddr*; sockaddr_in is the documented way in.
  auto* any = reinterpret_cast<sockaddr*>(&addr);
  if (::bind(fd, any, sizeof addr) != 0 || ::getsockname(fd, any, &len) != 0) {
    ::close(fd);
    throw std::runtime_error("could not find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace watt::test
