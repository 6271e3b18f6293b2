#include "local_subscriptions.hpp"

#include <watt/error.hpp>
#include <watt/topic.hpp>

#include <algorithm>
#include <vector>

namespace watt::detail {

SubscriptionId LocalSubscriptions::add(std::string_view pattern, std::function<void(const Envelope&)> cb, bool lossless,
                                       Update& update) {
  if (auto err = pattern_error(pattern); !err.empty()) throw Error("subscribe: " + err);
  std::string norm(normalize_pattern(pattern));
  const auto id = ++next_;
  index_.insert(norm, id, lossless);
  auto& counts = patterns_[norm];
  const bool changed = counts.all == 0 || (lossless && counts.lossless == 0);
  ++counts.all;
  counts.lossless += lossless;
  update = {norm, changed ? Change::subscribe : Change::none};
  subs_.emplace(id, Local{std::move(norm), std::move(cb), lossless});
  return id;
}

LocalSubscriptions::Update LocalSubscriptions::remove(SubscriptionId id) {
  auto it = subs_.find(id);
  if (it == subs_.end()) return {};
  Update update{std::move(it->second.pattern), Change::none};
  const bool was_lossless = it->second.lossless;
  index_.erase(update.pattern, id);
  subs_.erase(it);
  auto& counts = patterns_[update.pattern];
  --counts.all;
  counts.lossless -= was_lossless;
  if (counts.all == 0) {
    patterns_.erase(update.pattern);
    update.change = Change::unsubscribe;
  } else if (was_lossless && counts.lossless == 0) {
    update.change = Change::subscribe;  // again: the remaining subscriptions are best effort
  }
  return update;
}

bool LocalSubscriptions::lossless(const std::string& pattern) const {
  auto it = patterns_.find(pattern);
  return it != patterns_.end() && it->second.lossless > 0;
}

void LocalSubscriptions::deliver(const Envelope& e, Problems& problems) {
  // Collect first: a callback may unsubscribe (itself or others), or spin
  // and so deliver (and look up) other messages.
  const auto& matches = index_.match(e.topic);
  SubscriptionId ids[64];
  const std::size_t n = std::min<std::size_t>(matches.size(), 64);
  for (std::size_t i = 0; i < n; ++i) ids[i] = matches[i].first;
  std::vector<SubscriptionId> more;
  for (std::size_t i = n; i < matches.size(); ++i) more.push_back(matches[i].first);
  auto run = [&](SubscriptionId id) {
    auto it = subs_.find(id);
    if (it == subs_.end()) return;
    try {
      it->second.cb(e);
    } catch (const std::exception& ex) {
      problems.report("callback:" + it->second.pattern,
                      "subscriber callback for '" + it->second.pattern + "' threw on " + e.topic + ": " + ex.what());
    }
  };
  for (std::size_t i = 0; i < n; ++i) run(ids[i]);
  for (auto id : more) run(id);
}

}  // namespace watt::detail
