// Agents' logs for the web view: the last lines, then each new line as it is
// written, to every page following that agent. Files are looked at a few
// times a second (one look per file, however many follow it); a file that
// got shorter was rotated and is read again from its start. An agent in a
// container has its own lines of the container's log, tagged [identity].
#pragma once

#include <watt/web/stream_hub.hpp>

#include <boost/asio/steady_timer.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace watt::web {

// Where an agent's lines are: its own file, or its container's with a tag.
struct LogSource {
  std::filesystem::path file;
  std::string tag;  // only lines holding it; empty = every line
};
LogSource log_source(const std::filesystem::path& home, const std::string& identity, const std::string& container);
// The last `count` lines of a source (at most 10,000), read from its last
// 8 MiB: a long log costs no more than a short one.
std::vector<std::string> log_tail(const LogSource& source, std::size_t count);

class LogFollower {
public:
  LogFollower(boost::asio::io_context& io, std::chrono::milliseconds period);

  // Sends the last `count` lines, then the new ones, as
  // {"type":"log","id":…,"lines":[…]} frames. Empty, or why not (a client
  // follows at most 16 logs).
  std::string follow(const std::shared_ptr<StreamClient>& client, const std::string& id, const LogSource& source,
                     std::size_t count);
  void unfollow(const StreamClient* client, const std::string& id);
  void remove(const StreamClient* client);

private:
  struct Followed {
    LogSource source;
    std::uintmax_t offset = 0;
    std::string carry;  // a last line not yet ended
    std::map<const StreamClient*, std::weak_ptr<StreamClient>> readers;
  };
  void look();
  void schedule();
  static std::string frame(const std::string& id, const std::vector<std::string>& lines);

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds period_;
  bool scheduled_ = false;
  std::map<std::pair<std::string, std::filesystem::path>, Followed> followed_;  // by agent and file
};

}  // namespace watt::web
