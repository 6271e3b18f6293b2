#include <watt/topic.hpp>
#include <watt/web/stream_hub.hpp>
#include "json_text.hpp"

#include <nlohmann/json.hpp>

namespace watt::web {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

std::string pattern_problem(const std::string& pattern) {
  try {
    (void)nlohmann::json(pattern).dump();  // strict: throws on bytes that are not UTF-8
  } catch (const nlohmann::json::exception&) {
    return "bad pattern: not UTF-8 text";
  }
  if (auto err = pattern_error(pattern); !err.empty()) return "bad pattern '" + pattern + "': " + err;
  return {};
}

StreamHub::StreamHub(asio::io_context& io, HubLimits limits, std::function<void(const std::string&, bool)> bus)
    : io_(io), limits_(limits), bus_(std::move(bus)) {}

StreamHub::~StreamHub() = default;

std::string StreamHub::subscribe(const std::shared_ptr<StreamClient>& client, const std::string& pattern, double rate) {
  if (auto err = pattern_problem(pattern); !err.empty()) return err;
  if (!(rate > 0) || rate > limits_.max_rate)
    return "bad rate " + std::to_string(rate) + " for '" + pattern + "': more than 0, at most " +
           std::to_string(limits_.max_rate) + " frames a second";
  if (patterns_.count(pattern) == 0 && patterns_.size() >= limits_.patterns)
    return "the server watches too many patterns already (" + std::to_string(limits_.patterns) + ")";
  auto [it, fresh] = patterns_.try_emplace(pattern);
  auto& p = it->second;
  const bool had = p.feeds.count(client.get()) != 0;
  if (!had && per_client_[client.get()] >= limits_.patterns_per_client) {
    if (fresh) patterns_.erase(it);
    return "too many patterns: at most " + std::to_string(limits_.patterns_per_client) + " for one client";
  }
  if (fresh) bus_(pattern, true);
  if (p.linger) p.linger->cancel();
  p.linger.reset();
  auto& feed = p.feeds[client.get()];
  if (!had) {
    ++per_client_[client.get()];
    ++stats_.feeds;
    feed.client = client;
    feed.timer = std::make_unique<asio::steady_timer>(io_);
  }
  feed.period = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(1.0 / rate));
  client->deliver(R"({"type":"subscribed","pattern":)" + json_text(nlohmann::json(pattern)) + "}");
  if (!p.last.empty()) {
    std::map<std::string, Pending> cached;
    for (const auto& [topic, message] : p.last) cached.emplace(topic, Pending{message, 1});
    client->deliver(frame(pattern, cached, true));
    ++stats_.frames;
  }
  return {};
}

void StreamHub::unsubscribe(const StreamClient* client, const std::string& pattern) {
  const auto it = patterns_.find(pattern);
  if (it == patterns_.end() || it->second.feeds.erase(client) == 0) return;
  --stats_.feeds;
  if (--per_client_[client] == 0) per_client_.erase(client);
  if (it->second.feeds.empty()) release(pattern, it->second);
}

void StreamHub::remove(const StreamClient* client) {
  for (auto& [pattern, p] : patterns_) {
    if (p.feeds.erase(client) == 0) continue;
    --stats_.feeds;
    if (p.feeds.empty()) release(pattern, p);
  }
  per_client_.erase(client);
}

// Nobody wants the pattern: it stays on the bus, its cache warm, for the
// linger time, then leaves.
void StreamHub::release(const std::string& pattern, Pattern& p) {
  p.linger = std::make_unique<asio::steady_timer>(io_, limits_.linger);
  p.linger->async_wait([this, pattern](const boost::system::error_code& ec) {
    if (ec) return;
    const auto it = patterns_.find(pattern);
    if (it == patterns_.end() || !it->second.feeds.empty()) return;
    patterns_.erase(it);
    bus_(pattern, false);
  });
}

void StreamHub::on_message(const std::string& pattern, const std::string& topic, const std::string& message) {
  const auto it = patterns_.find(pattern);
  if (it == patterns_.end()) return;  // left the bus; a late one
  ++stats_.messages;
  auto& p = it->second;
  if (auto l = p.last.find(topic); l != p.last.end())
    l->second = message;
  else if (p.last.size() < limits_.cached_topics)
    p.last.emplace(topic, message);
  const auto now = Clock::now();
  for (auto& [client, feed] : p.feeds) {
    auto& slot = feed.pending[topic];
    if (slot.count > 0) ++stats_.conflated;
    slot.message = message;
    ++slot.count;
    if (now >= feed.next)
      flush(pattern, feed);
    else
      arm(pattern, client, feed);
  }
}

void StreamHub::arm(const std::string& pattern, const StreamClient* client, Feed& feed) {
  if (feed.timer->expiry() > Clock::now()) return;  // already set for the next frame
  feed.timer->expires_at(feed.next);
  feed.timer->async_wait([this, pattern, client](const boost::system::error_code& ec) {
    if (ec) return;
    const auto p = patterns_.find(pattern);
    if (p == patterns_.end()) return;
    const auto f = p->second.feeds.find(client);
    if (f != p->second.feeds.end() && !f->second.pending.empty()) flush(pattern, f->second);
  });
}

void StreamHub::flush(const std::string& pattern, Feed& feed) {
  feed.next = Clock::now() + feed.period;
  auto client = feed.client.lock();
  if (client) {
    client->deliver(frame(pattern, feed.pending, false));
    ++stats_.frames;
  }
  feed.pending.clear();
}

std::string StreamHub::frame(const std::string& pattern, const std::map<std::string, Pending>& messages,
                             bool cached) const {
  // The messages are JSON already: spliced in, not parsed again.
  std::string out = R"({"type":"messages","pattern":)" + json_text(nlohmann::json(pattern));
  out += cached ? R"(,"cached":true,"messages":[)" : R"(,"messages":[)";
  bool first = true;
  for (const auto& [topic, m] : messages) {
    out += first ? "" : ",";
    first = false;
    out += R"({"count":)" + std::to_string(m.count) + R"(,"message":)" + m.message + "}";
  }
  return out + "]}";
}

}  // namespace watt::web
