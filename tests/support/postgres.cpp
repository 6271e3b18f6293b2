// PostgresServer: initdb, then the postmaster as a child process (not
// daemonized by pg_ctl) so that it dies with the test binary even when that
// crashes or is killed by a ctest timeout.
#include "postgres.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace watt::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The server's programs: $WATT_TEST_PG_BINDIR, else the newest Debian
// install (/usr/lib/postgresql/<major>/bin), whose binaries are not on PATH.
fs::path bindir() {
  if (const char* env = std::getenv("WATT_TEST_PG_BINDIR"); env != nullptr && *env != '\0') return env;
  fs::path best;
  int best_major = -1;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto name = e.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    const int major = std::stoi(name);
    if (major > best_major && fs::exists(e.path() / "bin" / "postgres")) {
      best_major = major;
      best = e.path() / "bin";
    }
  }
  if (best.empty())
    throw std::runtime_error(
        "PostgreSQL server not found in /usr/lib/postgresql (install the postgresql package, "
        "see deploy/install-deps.sh, or set WATT_TEST_PG_BINDIR)");
  return best;
}

// initdb and postgres refuse to run as root: as root (the tests in CI) they
// run as the `postgres` system user. setpriv rather than runuser: it execs
// the program itself, so our pid is the server's, and --pdeathsig puts back
// the parent-death signal that the change of user clears.
std::vector<std::string> as_server_user(const std::string& program) {
  if (::geteuid() != 0) return {program};
  return {"/usr/bin/setpriv",
          "--reuid=postgres",
          "--regid=postgres",
          "--init-groups",
          "--pdeathsig=SIGKILL",
          "--",
          program};
}

void give_to_server_user(const fs::path& p) {
  if (::geteuid() != 0) return;
  const passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr) throw std::runtime_error("running as root, but there is no `postgres` user to run the server as");
  if (::chown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("chown " + p.string() + " failed");
}

std::string random_password() {
  std::random_device rd;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string s = "pw-";
  for (int i = 0; i < 24; ++i) s += "0123456789abcdef"[hex(rd)];
  return s;
}

void append(std::vector<std::string>& argv, std::initializer_list<std::string> more) {
  argv.insert(argv.end(), more.begin(), more.end());
}

void check(const Exit& e, const std::string& what) {
  if (e.code != 0) throw std::runtime_error(what + " failed (exit " + std::to_string(e.code) + "): " + e.err + e.out);
}

}  // namespace

PostgresServer::PostgresServer(std::string database)
    : dir_("watt-pg"), database_(std::move(database)), password_(random_password()) {
  give_to_server_user(dir_.path());
  const auto bin = bindir();
  const auto pwfile = dir_.path() / "pwfile";
  {
    std::ofstream(pwfile) << password_ << '\n';
    fs::permissions(pwfile, fs::perms::owner_read | fs::perms::owner_write);
    give_to_server_user(pwfile);
  }
  // Trust on the unix socket (in our private directory) for setting up;
  // a real password over TCP, as the back end will meet in production.
  auto initdb = as_server_user((bin / "initdb").string());
  append(initdb,
         {"-D", (dir_.path() / "data").string(), "-U", "watt", "--pwfile", pwfile.string(), "--auth-local=trust",
          "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"});
  check(run(initdb, dir_.path(), {}, 120000ms), "initdb");
  fs::remove(pwfile);

  bool up = false;
  for (int attempt = 0; attempt < 5 && !up; ++attempt) {
    port_ = free_port();
    up = launch();
  }
  if (!up) throw std::runtime_error("postgres did not start:\n" + log());

  check(run({(bin / "createdb").string(), "-h", dir_.str(), "-p", std::to_string(port_), "-U", "watt", database_},
            dir_.path(), {}, 60000ms),
        "createdb");
}

PostgresServer::~PostgresServer() {
  try {
    stop();
  } catch (...) {
    // A destructor must not throw; Process's own destructor kills what is left.
  }
}

std::string PostgresServer::connection() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + database_ + " user=watt password=" + password_;
}

bool PostgresServer::running() { return server_ && server_->running(); }

bool PostgresServer::launch() {
  auto argv = as_server_user((bindir() / "postgres").string());
  // fsync off: the data only has to survive a clean restart, and the tests
  // run much faster without waiting on the disk.
  append(argv, {"-D", (dir_.path() / "data").string(), "-p", std::to_string(port_), "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=" + dir_.str(), "-c", "fsync=off", "-c", "full_page_writes=off"});
  server_ = std::make_unique<Process>(argv, dir_.path());
  const auto isready = (bindir() / "pg_isready").string();
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!server_->running()) {
      last_log_ += server_->err();
      server_.reset();
      return false;
    }
    // Exit 0 only once it accepts connections (not while starting up).
    if (run({isready, "-q", "-h", "127.0.0.1", "-p", std::to_string(port_), "-t", "2"}, dir_.path(), {}, 10000ms)
            .code == 0)
      return true;
    std::this_thread::sleep_for(20ms);
  }
  server_->stop();
  last_log_ += server_->err();
  server_.reset();
  return false;
}

void PostgresServer::start() {
  if (running()) return;
  if (!launch())
    throw std::runtime_error("postgres did not start again on port " + std::to_string(port_) + ":\n" + log());
}

void PostgresServer::stop() {
  if (!server_) return;
  // SIGINT is the fast shutdown: SIGTERM (Process::stop's first try) would
  // wait for every client to disconnect.
  server_->signal(SIGINT);
  if (!server_->wait(30000ms)) server_->stop();
  last_log_ += server_->err();
  server_.reset();
}

std::string PostgresServer::log() const { return last_log_ + (server_ ? server_->err() : std::string()); }

}  // namespace watt::test
