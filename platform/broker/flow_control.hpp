// Flow control for lossless subscribers. A subscriber whose lossless backlog
// at the broker passes the high-water mark (in messages, or in bytes) is
// congested: every publisher that sends it a lossless message is asked to
// pause, until the backlog is down to half the mark in both. A publisher that goes on regardless is refused past ten
// times the mark (and told once), so the broker's memory stays bounded.
// This class keeps the state and says what to tell whom; the outbox tells.
#pragma once

#include "peer.hpp"

#include <cstddef>
#include <vector>

namespace watt::broker {

class FlowControl {
public:
  explicit FlowControl(std::size_t high_water, std::size_t high_water_bytes = static_cast<std::size_t>(-1))
      : high_water_(high_water), high_water_bytes_(high_water_bytes) {}

  // After a message was queued for `subscriber`: true when it has just
  // become congested.
  bool queued(Peer& subscriber, Backlog lossless);
  // After some of its queue went out: true when it has just caught up, with
  // the publishers to resume in `resume`.
  bool drained(Peer& subscriber, Backlog lossless, std::vector<Peer*>& resume);

  enum class Admission { take, refuse, refuse_and_report };
  // Whether a lossless message from a publisher may still join this
  // subscriber's backlog (by count: what it weighs, the queue itself says).
  Admission admit(const Peer& subscriber, Backlog lossless) const {
    if (lossless.messages < high_water_ * 10) return Admission::take;
    return refusal(subscriber);
  }
  // The publisher is told once per congestion.
  static Admission refusal(const Peer& subscriber) {
    return subscriber.flow.overflow_reported ? Admission::refuse : Admission::refuse_and_report;
  }
  void reported(Peer& subscriber) { subscriber.flow.overflow_reported = true; }

  // A congested subscriber got a lossless message from `publisher`: true
  // when the publisher must now be told to pause.
  bool hold(Peer& subscriber, Peer& publisher);
  // The publishers a subscriber held back that nothing holds back any more
  // (and are alive): they are to be told to resume.
  std::vector<Peer*> release(Peer& subscriber);
  // A peer that leaves: it holds no one back any more (the publishers to
  // resume are returned), and no one holds it back.
  std::vector<Peer*> forget(Peer& p);

  std::size_t high_water() const noexcept { return high_water_; }

private:
  std::size_t high_water_;
  std::size_t high_water_bytes_;
};

}  // namespace watt::broker
