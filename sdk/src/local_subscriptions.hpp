// This peer's subscriptions: the callbacks by pattern, and what the broker
// must hold for them. The broker keeps one subscription per pattern, lossless
// if any callback on it is; so adding or removing a callback changes the
// broker's subscription only when the pattern's first callback comes, its
// last goes, or its last lossless one goes.
#pragma once

#include "problems.hpp"

#include <watt/endpoint.hpp>
#include <watt/proto/topic_index.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace watt::detail {

class LocalSubscriptions {
public:
  // What the broker must be told after a change.
  enum class Change { none, subscribe, unsubscribe };
  struct Update {
    std::string pattern;  // normalized
    Change change = Change::none;
  };

  // Throws watt::Error on a bad pattern.
  SubscriptionId add(std::string_view pattern, std::function<void(const Envelope&)> cb, bool lossless, Update& update);
  // An unknown id changes nothing.
  Update remove(SubscriptionId id);

  // Whether the broker's subscription to this pattern must be lossless.
  bool lossless(const std::string& pattern) const;
  // Every pattern the broker must hold (told again after a reconnection).
  template <class F>
  void for_each_pattern(F&& f) const {
    for (const auto& [pattern, counts] : patterns_) f(pattern);
  }

  // Runs every callback whose pattern matches the envelope's topic. A
  // callback may subscribe or unsubscribe (itself or others) meanwhile.
  void deliver(const Envelope& e, Problems& problems);

private:
  struct Local {
    std::string pattern;  // normalized
    std::function<void(const Envelope&)> cb;
    bool lossless = false;
  };
  struct Counts {
    int all = 0, lossless = 0;
  };

  proto::TopicIndex<SubscriptionId, bool> index_;
  std::unordered_map<SubscriptionId, Local> subs_;
  std::unordered_map<std::string, Counts> patterns_;
  SubscriptionId next_ = 0;
};

}  // namespace watt::detail
