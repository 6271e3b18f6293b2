#include "log_follower.hpp"

#include "json_text.hpp"

#include <watt/container.hpp>

#include <nlohmann/json.hpp>

#include <deque>
#include <fstream>

namespace fs = std::filesystem;

namespace watt::web {

LogSource log_source(const fs::path& home, const std::string& identity, const std::string& container) {
  if (container.empty()) return {home / "logs" / (identity + ".log"), {}};
  return {home / "logs" / (container_identity(container) + ".log"), "[" + identity + "]"};
}

std::vector<std::string> log_tail(const LogSource& source, std::size_t count) {
  count = std::min<std::size_t>(count, 10000);
  std::ifstream in(source.file, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::streamoff>(in.tellg());
  const std::streamoff window = 8 << 20;
  in.seekg(std::max<std::streamoff>(0, size - window));
  std::string l;
  if (size > window) std::getline(in, l);  // a line cut by the window
  std::deque<std::string> last;
  while (std::getline(in, l)) {
    if (!source.tag.empty() && l.find(source.tag) == std::string::npos) continue;
    last.push_back(std::move(l));
    if (last.size() > count) last.pop_front();
  }
  return {last.begin(), last.end()};
}

LogFollower::LogFollower(boost::asio::io_context& io, std::chrono::milliseconds period) : timer_(io), period_(period) {}

std::string LogFollower::follow(const std::shared_ptr<StreamClient>& client, const std::string& id,
                                const LogSource& source, std::size_t count) {
  std::size_t mine = 0;
  for (const auto& [key, f] : followed_) mine += f.readers.count(client.get());
  if (mine >= 16) return "too many logs followed: at most 16 for one client";
  auto& f = followed_[{id, source.file}];
  if (f.readers.empty()) {
    f = Followed{source, 0, {}, {}};
    std::error_code ec;
    f.offset = fs::file_size(source.file, ec);
    if (ec) f.offset = 0;
  }
  f.readers[client.get()] = client;
  client->deliver(frame(id, log_tail(source, count)));
  schedule();
  return {};
}

void LogFollower::unfollow(const StreamClient* client, const std::string& id) {
  for (auto it = followed_.begin(); it != followed_.end();) {
    if (it->first.first == id) it->second.readers.erase(client);
    it = it->second.readers.empty() ? followed_.erase(it) : std::next(it);
  }
}

void LogFollower::remove(const StreamClient* client) {
  for (auto it = followed_.begin(); it != followed_.end();) {
    it->second.readers.erase(client);
    it = it->second.readers.empty() ? followed_.erase(it) : std::next(it);
  }
}

void LogFollower::schedule() {
  if (scheduled_ || followed_.empty()) return;
  scheduled_ = true;
  timer_.expires_after(period_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    scheduled_ = false;
    if (ec) return;
    look();
    schedule();
  });
}

void LogFollower::look() {
  for (auto& [key, f] : followed_) {
    const auto& id = key.first;
    std::error_code ec;
    const auto size = fs::file_size(f.source.file, ec);
    if (ec) continue;
    if (size < f.offset) f.offset = 0;  // rotated
    if (size == f.offset) continue;
    std::ifstream in(f.source.file, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(f.offset));
    std::string chunk(static_cast<std::size_t>(std::min<std::uintmax_t>(size - f.offset, 1U << 20)), '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    chunk.resize(static_cast<std::size_t>(in.gcount()));
    f.offset += chunk.size();
    f.carry += chunk;
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (auto nl = f.carry.find('\n'); nl != std::string::npos; nl = f.carry.find('\n', start)) {
      auto line = f.carry.substr(start, nl - start);
      if (f.source.tag.empty() || line.find(f.source.tag) != std::string::npos) lines.push_back(std::move(line));
      start = nl + 1;
    }
    f.carry.erase(0, start);
    if (f.carry.size() > (1U << 20)) lines.push_back(std::exchange(f.carry, {}));  // a "line" that never ends
    if (lines.empty()) continue;
    const auto text = frame(id, lines);
    for (const auto& [client, reader] : f.readers)
      if (auto c = reader.lock()) c->deliver(text);
  }
}

std::string LogFollower::frame(const std::string& id, const std::vector<std::string>& lines) {
  // A log may hold bytes that are not UTF-8: shown replaced, never refused.
  return json_text(nlohmann::json{{"type", "log"}, {"id", id}, {"lines", lines}});
}

}  // namespace watt::web
