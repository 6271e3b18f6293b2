#include <watt/web/sessions.hpp>

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace watt::web {

using Clock = std::chrono::steady_clock;

std::string random_token(std::size_t bytes) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot start");
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

std::string Sessions::open(const std::string& user, Role role, const std::string& credential) {
  auto token = random_token();
  sessions_[token] = Session{user, role, random_token(), credential, Clock::now() + idle_};
  return token;
}

const Session* Sessions::find(const std::string& token) {
  const auto it = sessions_.find(token);
  if (it == sessions_.end()) return nullptr;
  const auto now = Clock::now();
  if (it->second.expires <= now) {
    sessions_.erase(it);
    return nullptr;
  }
  it->second.expires = now + idle_;
  return &it->second;
}

bool Sessions::alive(const std::string& token) const {
  const auto it = sessions_.find(token);
  return it != sessions_.end() && it->second.expires > Clock::now();
}

void Sessions::close(const std::string& token) { sessions_.erase(token); }

void Sessions::close_if(const std::function<bool(const Session&)>& ended) {
  const auto now = Clock::now();
  for (auto it = sessions_.begin(); it != sessions_.end();)
    it = it->second.expires <= now || ended(it->second) ? sessions_.erase(it) : std::next(it);
}

std::chrono::seconds LoginLimiter::wait(const std::string& key) {
  forget_old();
  const auto it = records_.find(key);
  if (it == records_.end()) return std::chrono::seconds(0);
  const auto now = Clock::now();
  if (it->second.locked_until <= now) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
}

void LoginLimiter::failed(const std::string& key) {
  const auto now = Clock::now();
  auto& r = records_[key];
  if (r.failures == 0 || now - r.first > limits_.window) r = Record{0, now, {}};
  if (++r.failures >= limits_.max_failures) r.locked_until = now + limits_.lockout;
}

void LoginLimiter::succeeded(const std::string& key) { records_.erase(key); }

void LoginLimiter::forgive(const std::string& key) {
  const auto it = records_.find(key);
  if (it != records_.end() && it->second.failures > 0) --it->second.failures;
}

// Records past their window and lockout go, so a stream of made-up names
// cannot grow the map without end.
void LoginLimiter::forget_old() {
  const auto now = Clock::now();
  for (auto it = records_.begin(); it != records_.end();)
    it = now - it->second.first > limits_.window && it->second.locked_until <= now ? records_.erase(it) : std::next(it);
}

}  // namespace watt::web
