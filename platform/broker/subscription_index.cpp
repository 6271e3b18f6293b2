#include "subscription_index.hpp"

#include <watt/proto/topic.hpp>

namespace watt::broker {

std::string SubscriptionIndex::subscribe(Peer& p, std::string_view pattern, bool lossless) {
  if (auto err = proto::pattern_error(pattern); !err.empty()) return err;
  std::string norm(proto::normalize_pattern(pattern));
  index_.insert(norm, &p, lossless);
  p.patterns[std::move(norm)] = lossless;
  return {};
}

std::string SubscriptionIndex::unsubscribe(Peer& p, std::string_view pattern) {
  if (auto err = proto::pattern_error(pattern); !err.empty()) return err;
  const std::string norm(proto::normalize_pattern(pattern));
  index_.erase(norm, &p);
  p.patterns.erase(norm);
  return {};
}

void SubscriptionIndex::remove(Peer& p) {
  for (const auto& [pattern, lossless] : p.patterns) index_.erase(pattern, &p);
}

}  // namespace watt::broker
