// The link supervision both serial ends share, on a clock the test moves.
#include "supervision/link_supervisor.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using watt::serial::FrameType;
using watt::serial::LinkState;
using watt::serial::LinkSupervisor;
using watt::serial::QueuedFrame;
using watt::serial::TxQueue;

namespace {

const LinkSupervisor::Clock::time_point t0{};

watt::serial::SupervisionOptions options() {
  watt::serial::SupervisionOptions o;
  o.heartbeat_period = 100ms;
  o.silence_timeout = 300ms;
  o.reopen_min = 10ms;
  o.reopen_max = 40ms;
  return o;
}

QueuedFrame frame(FrameType type, std::uint8_t tag) { return QueuedFrame{type, {tag}}; }

}  // namespace

TEST_CASE("link supervisor: failed opens back off, doubling to the maximum, a repeated failure reported once") {
  LinkSupervisor s(options());
  s.restart(t0);
  CHECK(s.state() == LinkState::opening);
  CHECK(s.open_due(t0));
  CHECK(s.failed(t0, "no such device"));
  CHECK(s.state() == LinkState::down);
  CHECK(s.reopen_delay() == 10ms);
  CHECK_FALSE(s.open_due(t0 + 9ms));
  CHECK(s.open_due(t0 + 10ms));
  CHECK_FALSE(s.failed(t0 + 10ms, "no such device"));  // the same again: nothing new to say
  CHECK(s.reopen_delay() == 20ms);
  (void)s.failed(t0 + 30ms, "no such device");
  (void)s.failed(t0 + 70ms, "no such device");
  CHECK(s.reopen_delay() == 40ms);  // the maximum
  CHECK(s.next_open() == t0 + 110ms);
  CHECK(s.failed(t0 + 110ms, "permission denied"));  // a new reason is reported
}

TEST_CASE("link supervisor: up when heard, down once per silence, up again when heard, backoff reset") {
  LinkSupervisor s(options());
  s.restart(t0);
  (void)s.failed(t0, "busy");
  (void)s.failed(t0 + 10ms, "busy again");
  s.opened(t0 + 30ms);
  CHECK_FALSE(s.open_due(t0 + 1s));  // open: nothing to open
  CHECK(s.heard(t0 + 40ms, "peer heard"));
  CHECK(s.state() == LinkState::up);
  CHECK_FALSE(s.heard(t0 + 50ms, "peer heard"));  // already up
  CHECK_FALSE(s.check_silence(t0 + 349ms, "silent"));
  CHECK(s.check_silence(t0 + 350ms, "silent"));
  CHECK(s.state() == LinkState::down);
  CHECK_FALSE(s.check_silence(t0 + 900ms, "silent"));  // said once
  CHECK(s.heard(t0 + 1s, "peer heard"));
  // Heard: the next failure waits the shortest time again.
  CHECK(s.failed(t0 + 2s, "unplugged"));
  CHECK(s.reopen_delay() == 10ms);
  CHECK_FALSE(s.check_silence(t0 + 10s, "silent"));  // a closed port is not silent, it is closed
}

TEST_CASE("link supervisor: a heartbeat is due when nothing was sent for a period") {
  LinkSupervisor s(options());
  CHECK_FALSE(s.heartbeat_due(t0 + 1s));  // not open
  s.opened(t0);
  CHECK_FALSE(s.heartbeat_due(t0 + 99ms));
  CHECK(s.heartbeat_due(t0 + 100ms));
  s.sent(t0 + 100ms);
  CHECK_FALSE(s.heartbeat_due(t0 + 150ms));
  CHECK(s.next_deadline(t0 + 150ms) == t0 + 200ms);
  (void)s.heard(t0 + 150ms, "up");
  CHECK(s.next_deadline(t0 + 160ms) == t0 + 200ms);  // the heartbeat before the silence (450 ms)
  (void)s.failed(t0 + 160ms, "lost");
  CHECK(s.next_deadline(t0 + 160ms) == t0 + 170ms);  // closed: the reopen
}

TEST_CASE("tx queue: over the limit the oldest waiting data frame goes, never a hello or heartbeat") {
  TxQueue q(2);
  CHECK(q.push(frame(FrameType::hello, 0)) == 0);
  CHECK(q.push(frame(FrameType::data, 1)) == 0);
  CHECK(q.push(frame(FrameType::data, 2)) == 0);
  CHECK(q.push(frame(FrameType::heartbeat, 3)) == 0);
  CHECK(q.push(frame(FrameType::data, 4)) == 1);  // data 1 goes
  std::vector<int> left;
  while (!q.empty()) {
    left.push_back(q.front().bytes[0]);
    q.pop_front();
  }
  CHECK(left == std::vector<int>{0, 2, 3, 4});
}

TEST_CASE("tx queue: a frame being written is not waiting, and clearing counts the data lost") {
  TxQueue q(1);
  (void)q.push(frame(FrameType::data, 1));
  CHECK(q.push(frame(FrameType::data, 2), true) == 0);  // 1 is on the line already
  CHECK(q.push(frame(FrameType::data, 3), true) == 1);  // 2 goes, not 1
  CHECK(q.front().bytes[0] == 1);
  (void)q.push(frame(FrameType::heartbeat, 4), true);
  CHECK(q.clear() == 2);
  CHECK(q.empty());
}
