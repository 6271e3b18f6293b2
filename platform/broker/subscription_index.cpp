#include "subscription_index.hpp"

#include <watt/proto/topic.hpp>

namespace watt::broker {

std::string SubscriptionIndex::subscribe(Peer& p, std::string_view pattern, bool lossless) {
  if (auto err = proto::pattern_error(pattern); !err.empty()) return err;
  std::string norm(proto::normalize_pattern(pattern));
  const auto had = p.patterns.find(norm);
  const bool was = had != p.patterns.end();
  const bool was_lossless = was && had->second;
  Peer& link = p.link();
  SharedPattern& shared = link.shared[norm];
  if (!was) ++shared.count;
  shared.lossless = shared.lossless + (lossless ? 1 : 0) - (was_lossless ? 1 : 0);
  // Routing goes to the connection: one copy however many of its identities
  // subscribed, lossless if any of them asked for that.
  index_.insert(norm, &link, shared.lossless > 0);
  p.patterns[std::move(norm)] = lossless;
  return {};
}

std::string SubscriptionIndex::unsubscribe(Peer& p, std::string_view pattern) {
  if (auto err = proto::pattern_error(pattern); !err.empty()) return err;
  const std::string norm(proto::normalize_pattern(pattern));
  drop(p, norm);
  return {};
}

void SubscriptionIndex::drop(Peer& p, const std::string& norm) {
  const auto had = p.patterns.find(norm);
  if (had == p.patterns.end()) return;
  const bool lossless = had->second;
  p.patterns.erase(had);
  Peer& link = p.link();
  const auto it = link.shared.find(norm);
  if (it == link.shared.end()) return;
  SharedPattern& shared = it->second;
  --shared.count;
  if (lossless) --shared.lossless;
  if (shared.count == 0) {
    index_.erase(norm, &link);
    link.shared.erase(it);
  } else {
    index_.insert(norm, &link, shared.lossless > 0);
  }
}

void SubscriptionIndex::remove(Peer& p) {
  std::vector<std::string> patterns;
  patterns.reserve(p.patterns.size());
  for (const auto& [pattern, lossless] : p.patterns) patterns.push_back(pattern);
  for (const auto& pattern : patterns) drop(p, pattern);
}

}  // namespace watt::broker
