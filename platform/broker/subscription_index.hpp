// Who subscribed to what: every connection's patterns in one topic index, so
// that a topic finds its subscribers in one walk (and a stream on one topic
// in none, from the match cache). A connection whose patterns overlap is
// found once, lossless if any of its matching patterns is; the identities a
// container hosts share their connection's entries.
#pragma once

#include "peer.hpp"

#include <watt/proto/topic_index.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace watt::broker {

class SubscriptionIndex {
public:
  using Matches = std::vector<std::pair<Peer*, bool>>;  // subscriber, lossless

  // Returns why the pattern is refused, or empty when it was taken.
  std::string subscribe(Peer& p, std::string_view pattern, bool lossless);
  std::string unsubscribe(Peer& p, std::string_view pattern);
  // Every pattern of an identity that leaves.
  void remove(Peer& p);

  // Valid until the next call of any member: the broker walks it while it
  // routes, and only removes peers (never their patterns) meanwhile.
  const Matches& match(std::string_view topic) { return index_.match(topic); }
  std::size_t size() const noexcept { return index_.size(); }

private:
  void drop(Peer& p, const std::string& normalized);

  proto::TopicIndex<Peer*, bool> index_;
};

}  // namespace watt::broker
