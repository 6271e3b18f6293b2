// Publications made while the broker has paused this peer (flow control for
// a lossless subscriber that fell behind). Rather than block the agent at its
// first publish, they wait here, in order, up to a bound, and go out when the
// pause ends; meanwhile the agent's loop runs on: timers, requests, posted
// work and configuration changes. Only an agent that publishes past the
// bound within one callback blocks, as before.
#pragma once

#include <watt/proto/header.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace watt::detail {

class HeldPublishes {
public:
  static constexpr std::size_t max_messages = 10000;
  static constexpr std::size_t max_bytes = std::size_t{16} << 20;

  struct Held {
    std::string topic;
    std::int64_t ts = 0, dl = 0;
    std::uint8_t pri = 0;
    std::string ct;
    std::string body;
  };

  bool empty() const noexcept { return held_.empty(); }
  std::size_t size() const noexcept { return held_.size(); }
  bool full() const noexcept { return held_.size() >= max_messages || bytes_ >= max_bytes; }

  void hold(Held h) {
    bytes_ += h.topic.size() + h.body.size() + h.ct.size();
    held_.push_back(std::move(h));
  }
  // Hands each to `send`, oldest first, and forgets them.
  template <class Send>
  void release(Send&& send) {
    while (!held_.empty()) {
      send(held_.front());
      const auto& h = held_.front();
      bytes_ -= h.topic.size() + h.body.size() + h.ct.size();
      held_.pop_front();
    }
  }

private:
  std::deque<Held> held_;
  std::size_t bytes_ = 0;
};

}  // namespace watt::detail
