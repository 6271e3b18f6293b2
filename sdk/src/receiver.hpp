// What comes from the broker, read off the connection and taken apart:
// deliveries and requests go to the inbox, answers to the pending calls,
// welcomes and flow control to the session; pings are answered at once.
#pragma once

#include "inbox.hpp"
#include "pending_calls.hpp"
#include "problems.hpp"
#include "session.hpp"

#include <deque>
#include <functional>
#include <vector>

namespace watt::detail {

class Receiver {
public:
  // `on_welcome` runs when the broker (again) accepted this peer.
  Receiver(Session& session, Inbox& inbox, PendingCalls& calls, Problems& problems, std::function<void()> on_welcome)
      : session_(session), inbox_(inbox), calls_(calls), problems_(problems), on_welcome_(std::move(on_welcome)) {}

  // Reads what waits on the connection, up to a bound (so timers and the
  // inbox get their turn under a flood). True when it stopped at the bound:
  // more may be waiting.
  bool read_available();
  // One message from the broker (a batch's messages each in turn).
  void handle(Incoming& f);
  // The broker's refusals of what was not a call (publications,
  // subscriptions), the latest 100.
  std::vector<RpcError> take_refusals();

private:
  void handle_batch(Incoming& batch);
  void handle_one(Incoming& f);
  // Whether this answer comes from the peer its call went to.
  bool answers_a_call(const Incoming& f, const proto::Header& h);

  Session& session_;
  Inbox& inbox_;
  PendingCalls& calls_;
  Problems& problems_;
  std::function<void()> on_welcome_;
  std::deque<RpcError> refusals_;
};

}  // namespace watt::detail
