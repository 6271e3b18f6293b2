// The agents' log lines in the journal (config.yml agents.journal) as well as
// in their files: a datagram socket of the test's own stands in for
// journald's, and the lines that reach it are read field by field.
#include "cli.hpp"

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

using namespace watt::test;
using namespace std::chrono_literals;

namespace {

using Entry = std::map<std::string, std::string>;

// A datagram socket in journald's place, read as fast as journald reads
// (a socket holds few datagrams unread: net.unix.max_dgram_qlen); each
// datagram one entry of KEY=VALUE lines.
class FakeJournal {
public:
  explicit FakeJournal(const TempDir& dir) : path_((dir.path() / "journal.sock").string()) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    REQUIRE(path_.size() < sizeof a.sun_path);
    std::memcpy(a.sun_path, path_.data(), path_.size());
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0);
    reader_ = std::thread([this] { read(); });
  }
  ~FakeJournal() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes the reader's recv
    reader_.join();
    ::close(fd_);
  }
  FakeJournal(const FakeJournal&) = delete;
  FakeJournal& operator=(const FakeJournal&) = delete;

  const std::string& path() const { return path_; }
  std::vector<Entry> entries() {
    std::lock_guard lock(m_);
    return entries_;
  }
  // The first entry of this agent whose message has `text` in it.
  std::optional<Entry> find(const std::string& agent, const std::string& text) {
    for (auto& e : entries()) {
      const auto a = e.find("WATT_AGENT");
      const auto m = e.find("MESSAGE");
      if (a != e.end() && a->second == agent && m != e.end() && m->second.find(text) != std::string::npos) return e;
    }
    return std::nullopt;
  }

private:
  void read() {
    std::vector<char> buffer(65536);
    for (;;) {
      const auto n = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (n <= 0) return;
      auto e = parse({buffer.data(), static_cast<std::size_t>(n)});
      std::lock_guard lock(m_);
      entries_.push_back(std::move(e));
    }
  }
  static Entry parse(std::string_view datagram) {
    Entry e;
    while (!datagram.empty()) {
      const auto line = datagram.substr(0, datagram.find('\n'));
      datagram.remove_prefix(std::min(datagram.size(), line.size() + 1));
      const auto eq = line.find('=');
      if (eq != std::string_view::npos) e[std::string(line.substr(0, eq))] = line.substr(eq + 1);
    }
    return e;
  }

  std::string path_;
  int fd_ = -1;
  std::mutex m_;
  std::vector<Entry> entries_;
  std::thread reader_;
};

std::string dump(const std::vector<Entry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    for (const auto& [k, v] : e) out += k + "=" + v + " ";
    out += "\n";
  }
  return out;
}

std::string file_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("journal: the agents' lines reach the journal config.yml names, by identity and priority, and their files") {
  TempDir dir("watt-journal");
  FakeJournal journal(dir);
  Cli cli;
  std::ofstream(cli.home().path() / "config.yml") << "agents:\n  journal: " << journal.path() << "\n";
  REQUIRE(cli.watt({"platform", "start"}).code == 0);
  REQUIRE(cli.watt({"install", lib("listener"), "--identity", "alone", "--start"}).code == 0);
  REQUIRE(cli.watt({"install", lib("listener"), "--identity", "hosted", "--container", "pool", "--start"}).code == 0);

  // Each agent's first line, from its own process and from a container's.
  REQUIRE_MESSAGE(eventually([&] { return journal.find("alone", "listening to").has_value(); }), cli.log("alone"));
  REQUIRE_MESSAGE(eventually([&] { return journal.find("hosted", "listening to").has_value(); }),
                  dump(journal.entries()), cli.log("container.pool"));
  const Entry alone = *journal.find("alone", "listening to");
  CHECK(alone.at("SYSLOG_IDENTIFIER") == "alone");
  CHECK(alone.at("PRIORITY") == "6");  // info
  CHECK(file_text(cli.home().path() / "logs" / "alone.log").find(alone.at("MESSAGE")) != std::string::npos);
  CHECK(journal.find("hosted", "listening to")->at("SYSLOG_IDENTIFIER") == "hosted");

  // And what it does after: each message it hears, a line.
  {
    auto c = client(cli, "prober");
    c.publish("probe/x", std::string("heard in the journal"));
    REQUIRE(c.sync());
  }
  REQUIRE(eventually([&] { return journal.find("alone", "heard in the journal").has_value(); }));
  CHECK(eventually([&] { return journal.find("hosted", "heard in the journal").has_value(); }));
}

TEST_CASE("journal: off keeps the agents' lines in their files only") {
  TempDir dir("watt-journal");
  FakeJournal journal(dir);
  Cli cli;
  // wattd's own environment names a journal: its agents do not inherit it.
  ::setenv("WATT_JOURNAL", journal.path().c_str(), 1);
  std::ofstream(cli.home().path() / "config.yml") << "agents:\n  journal: 'off'\n";
  const auto started = cli.watt({"platform", "start"});
  ::unsetenv("WATT_JOURNAL");
  REQUIRE(started.code == 0);
  REQUIRE(cli.watt({"install", lib("listener"), "--identity", "alone", "--start"}).code == 0);
  REQUIRE(eventually([&] { return cli.log("alone").find("listening to") != std::string::npos; }));
  REQUIRE(cli.watt({"stop", "alone"}).code == 0);  // its process gone: all it sent has come
  CHECK(journal.entries().empty());
}
