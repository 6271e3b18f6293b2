// The live stream behind every page: clients (WebSockets, SSE readers)
// subscribe to topic patterns, each at a maximum rate. The bus is subscribed
// once per pattern, however many clients want it. Per client and pattern,
// messages are conflated: at most `rate` frames a second, each with the
// latest message of every topic that changed and how many it stands for, so
// a busy topic never starves a quiet one. A last-value cache per pattern
// paints a new page at once; a pattern nobody wants any more stays on the
// bus for `linger`, so a reloaded page finds its cache warm.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace watt::web {

// A stream's reader. Frames are JSON text; all calls on the io thread.
class StreamClient {
public:
  virtual ~StreamClient() = default;
  virtual void deliver(std::string frame) = 0;
};

struct HubLimits {
  double max_rate = 100;                 // frames a second per client and pattern
  std::size_t patterns_per_client = 64;  // more is refused, naming the limit
  std::size_t cached_topics = 2000;      // last values kept per pattern
  std::chrono::milliseconds linger{60000};
  std::size_t patterns = 1000;  // on the bus at once, lingering ones included
};

struct HubStats {
  std::uint64_t patterns = 0;   // on the bus now
  std::uint64_t feeds = 0;      // client-pattern pairs
  std::uint64_t messages = 0;   // from the bus
  std::uint64_t frames = 0;     // to clients
  std::uint64_t conflated = 0;  // messages replaced by a later one of the same topic before a frame went out
};

// Why a pattern cannot be watched from a page (not a valid pattern, or not
// UTF-8 text), or empty.
std::string pattern_problem(const std::string& pattern);

class StreamHub {
public:
  // `bus(pattern, on)` subscribes the bus to a pattern or leaves it.
  StreamHub(boost::asio::io_context& io, HubLimits limits, std::function<void(const std::string&, bool)> bus);
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // Empty on success, or what is wrong (a bad pattern, rate or too many).
  std::string subscribe(const std::shared_ptr<StreamClient>& client, const std::string& pattern, double rate);
  void unsubscribe(const StreamClient* client, const std::string& pattern);
  void remove(const StreamClient* client);

  // A bus message that came for `pattern`: `message` is its JSON view.
  void on_message(const std::string& pattern, const std::string& topic, const std::string& message);

  HubStats stats() const {
    auto s = stats_;
    s.patterns = patterns_.size();
    return s;
  }

private:
  struct Pending {
    std::string message;
    std::uint64_t count = 0;
  };
  struct Feed {
    std::weak_ptr<StreamClient> client;
    std::chrono::nanoseconds period{};
    std::chrono::steady_clock::time_point next{};
    std::map<std::string, Pending> pending;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  struct Pattern {
    std::map<const StreamClient*, Feed> feeds;
    std::map<std::string, std::string> last;  // topic → latest message
    std::unique_ptr<boost::asio::steady_timer> linger;
  };

  void flush(const std::string& pattern, Feed& feed);
  void arm(const std::string& pattern, const StreamClient* client, Feed& feed);
  void release(const std::string& pattern, Pattern& p);
  std::string frame(const std::string& pattern, const std::map<std::string, Pending>& messages, bool cached) const;

  boost::asio::io_context& io_;
  HubLimits limits_;
  std::function<void(const std::string&, bool)> bus_;
  std::map<std::string, Pattern> patterns_;
  std::map<const StreamClient*, std::size_t> per_client_;
  HubStats stats_;
};

}  // namespace watt::web
