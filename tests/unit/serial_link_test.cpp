// Serial link over real pseudo-terminals: the test holds the master side as
// the node (pty_peer.hpp), the link opens the slave through a symlink (as
// /dev/serial/by-id does for USB adapters); unplugging is closing the master,
// replugging is a new pty behind the same symlink.
#include "serial_link_harness.hpp"

#include <doctest/doctest.h>

using namespace serial_link_test;

TEST_CASE("serial link: data frames round trip both ways, many and large") {
  Harness h;
  h.plug(4000);
  LinkOptions o = fast_options();
  o.max_payload = 4000;
  o.tx_queue_limit = 1000;
  h.make_link(o);
  h.link->start();
  std::vector<Bytes> sent;
  // Before the node's hello, nothing longer than the protocol's default.
  REQUIRE(h.pump_until([&] { return h.link->port_open(); }));
  CHECK(h.link->send_data(pattern(default_max_payload + 1, 0)) == false);
  sent.push_back(pattern(default_max_payload, 0));
  CHECK(h.link->send_data(sent.back()));
  h.bring_up();
  REQUIRE(h.link->peer_hello().has_value());
  CHECK(h.link->peer_hello()->max_payload == 4000);

  for (unsigned i = 0; i < 300; ++i) {
    const std::size_t size = i % 50 == 0 ? 4000 : (i * 37) % 700;
    sent.push_back(pattern(size, i));
    REQUIRE(h.link->send_data(sent.back()));
  }
  REQUIRE(h.pump_until([&] { return h.peer->data_payloads().size() == sent.size(); }));
  CHECK(h.peer->data_payloads() == sent);

  std::vector<Bytes> back;
  for (unsigned i = 0; i < 300; ++i) {
    back.push_back(pattern(i % 60 == 0 ? 4000 : (i * 53) % 900, i + 1));
    h.peer_send(FrameType::data, back.back());
  }
  REQUIRE(h.pump_until([&] { return h.frames.size() == back.size(); }));
  CHECK(h.frames == back);

  const LinkCounters c = h.link->counters();
  CHECK(c.rx.dropped() == 0);
  CHECK(c.rx.gaps == 0);
  CHECK(c.rx.duplicates == 0);
  CHECK(h.peer->decoder.counters().dropped() == 0);
  CHECK(h.peer->decoder.counters().gaps == 0);
  CHECK(c.tx_dropped == 0);
  CHECK(c.opens == 1);
  CHECK(h.link->send_data(pattern(4001, 0)) == false);  // over max_payload
  CHECK(h.link->counters().tx_refused == 2);
}

TEST_CASE("serial link: says hello on open and sends heartbeats while idle") {
  Harness h;
  h.plug();
  LinkOptions o = fast_options();
  o.max_payload = 512;
  h.make_link(o);
  CHECK(h.link->state() == LinkState::opening);
  h.link->start();
  REQUIRE(h.pump_until([&] { return h.peer->count(FrameType::heartbeat) >= 3; }));

  const auto& first = h.peer->received.front();
  CHECK(first.frame.type == FrameType::hello);
  CHECK(first.frame.seq == 0);
  const auto hello = parse_hello(first.frame.payload);
  REQUIRE(hello.has_value());
  CHECK(hello->version == serial_protocol_version);
  CHECK(hello->max_payload == 512);
  // The 0x00 written before the hello ends any half frame the node held.
  CHECK(h.peer->decoder.counters().empty == 1);
  CHECK(h.peer->decoder.counters().dropped() == 0);
  CHECK(h.peer->decoder.counters().gaps == 0);
  for (std::size_t i = 0; i < h.peer->received.size(); ++i)
    CHECK(h.peer->received[i].frame.seq == static_cast<std::uint8_t>(i));
  CHECK(h.link->counters().heartbeats_sent >= 2);
}

TEST_CASE("serial link: a silent peer goes down and comes back up when it talks") {
  Harness h;
  h.plug();
  LinkOptions o = fast_options();
  o.silence_timeout = 150ms;
  h.make_link(o);
  h.link->start();
  h.bring_up();

  h.peer_heartbeats = false;
  REQUIRE(h.pump_until([&] { return h.link->state() == LinkState::down; }));
  CHECK(h.link->reason() == "peer silent");
  CHECK(h.link->port_open());

  h.peer_send(FrameType::heartbeat, {});
  REQUIRE(h.pump_until([&] { return h.link->state() == LinkState::up; }));
  REQUIRE(h.states.size() == 3);
  CHECK(h.states[0].first == LinkState::up);
  CHECK(h.states[1] == std::pair{LinkState::down, std::string("peer silent")});
  CHECK(h.states[2].first == LinkState::up);
  CHECK(h.link->counters().opens == 1);
  CHECK(h.link->counters().heartbeats_received >= 1);
}

TEST_CASE("serial link: unplug goes down and backs off, replug comes back up by itself") {
  Harness h;
  h.plug();
  h.make_link(fast_options());
  h.link->start();
  h.bring_up();
  REQUIRE(h.link->send_data(pattern(10, 1)));
  REQUIRE(h.pump_until([&] { return h.peer->data_payloads().size() == 1; }));

  h.unplug();
  REQUIRE(h.pump_until([&] { return h.link->counters().read_errors == 1; }));
  CHECK(h.link->state() == LinkState::down);
  CHECK(h.link->reason().rfind("read error: ", 0) == 0);
  CHECK_FALSE(h.link->port_open());
  CHECK(h.link->reopen_delay() == 10ms);
  CHECK(h.link->send_data(pattern(3, 3)) == false);

  // Each failed reopen doubles the wait, up to reopen_max.
  std::vector<std::chrono::milliseconds> delays;
  for (std::uint64_t k = 1; k <= 5; ++k) {
    REQUIRE(h.pump_until([&] { return h.link->counters().open_failures == k; }));
    delays.push_back(h.link->reopen_delay());
  }
  CHECK(delays == std::vector<std::chrono::milliseconds>{20ms, 40ms, 80ms, 80ms, 80ms});
  CHECK(h.link->reason().rfind("cannot open ", 0) == 0);
  CHECK(h.link->counters().opens == 1);

  h.plug();  // a new pty: a new /dev/pts/N behind the same by-id name
  h.bring_up();
  CHECK(h.link->counters().opens == 2);
  CHECK(h.peer->received.front().frame.type == FrameType::hello);
  CHECK(h.peer->received.front().frame.seq == 0);
  REQUIRE(h.link->send_data(pattern(20, 2)));
  h.peer_send(FrameType::data, pattern(30, 3));
  REQUIRE(h.pump_until([&] { return h.peer->data_payloads().size() == 1 && h.frames.size() == 1; }));
  CHECK(h.peer->data_payloads()[0] == pattern(20, 2));
  CHECK(h.frames[0] == pattern(30, 3));

  // up, down (read error), down (cannot open), up: health BAD then GOOD.
  REQUIRE(h.states.size() == 4);
  CHECK(h.states[0].first == LinkState::up);
  CHECK(h.states[1].first == LinkState::down);
  CHECK(h.states[2].first == LinkState::down);
  CHECK(h.states[3].first == LinkState::up);
  CHECK(h.link->reopen_delay() == 10ms);  // back to the start once heard
}

TEST_CASE("serial link: garbage and corrupt frames are counted exactly and the link stays up") {
  Harness h;
  h.plug();
  h.make_link(fast_options());
  h.link->start();
  h.bring_up();
  h.peer_heartbeats = false;
  h.peer_send(FrameType::data, pattern(5, 1));
  REQUIRE(h.pump_until([&] { return h.frames.size() == 1; }));
  const DecoderCounters before = h.link->counters().rx;

  Bytes junk{0x00};  // empty: idle filler
  Bytes raw{0x02, 0x40, 0x61, 0x62};
  const std::uint16_t crc = crc16(raw);
  Bytes bad_crc = raw;
  bad_crc.push_back(static_cast<std::uint8_t>(crc >> 8));
  bad_crc.push_back(static_cast<std::uint8_t>((crc & 0xFF) ^ 0x01));
  Bytes bad_type{0x09, 0x41};
  const std::uint16_t crc_t = crc16(bad_type);
  bad_type.push_back(static_cast<std::uint8_t>(crc_t >> 8));
  bad_type.push_back(static_cast<std::uint8_t>(crc_t & 0xFF));
  for (const Bytes& r : {bad_crc, bad_type, Bytes{0x02, 0x05}}) {
    const Bytes enc = cobs_encode(r);
    junk.insert(junk.end(), enc.begin(), enc.end());
    junk.push_back(0x00);
  }
  junk.insert(junk.end(), {0x05, 0x11, 0x00});  // bad COBS
  junk.insert(junk.end(), 3000, 0x55);          // oversize
  junk.push_back(0x00);
  h.write_raw(junk);
  h.peer_send(FrameType::data, pattern(6, 2));
  REQUIRE(h.pump_until([&] { return h.frames.size() == 2; }));

  const DecoderCounters after = h.link->counters().rx;
  CHECK(after.frames - before.frames == 1);
  CHECK(after.empty - before.empty == 1);
  CHECK(after.bad_crc - before.bad_crc == 1);
  CHECK(after.bad_type - before.bad_type == 1);
  CHECK(after.too_short - before.too_short == 1);
  CHECK(after.bad_cobs - before.bad_cobs == 1);
  CHECK(after.oversize - before.oversize == 1);
  CHECK(after.gaps == 0);
  CHECK(h.frames[1] == pattern(6, 2));
  CHECK(h.link->state() == LinkState::up);
  CHECK(h.states.size() == 1);
}

TEST_CASE("serial link: the oldest queued data frame is dropped over the queue limit") {
  Harness h;
  h.plug();
  LinkOptions o = fast_options();
  o.heartbeat_period = 10s;  // nothing of the link's own in flight while queueing
  o.tx_queue_limit = 4;
  h.make_link(o);
  h.link->start();
  h.bring_up();
  REQUIRE(h.pump_until([&] { return h.link->counters().tx_frames == 1; }));  // the hello

  // The io_context does not run in between: the first frame is in flight,
  // the next nine compete for four places.
  for (unsigned i = 0; i < 10; ++i) REQUIRE(h.link->send_data(pattern(8, i)));
  CHECK(h.link->counters().tx_dropped == 5);
  REQUIRE(h.pump_until([&] { return h.peer->data_payloads().size() == 5; }));
  const std::vector<Bytes> expected{pattern(8, 0), pattern(8, 6), pattern(8, 7), pattern(8, 8), pattern(8, 9)};
  CHECK(h.peer->data_payloads() == expected);
  CHECK(h.peer->decoder.counters().gaps == 5);  // the node sees exactly what was lost
}

TEST_CASE("serial link: a device that never existed keeps failing to open, quietly") {
  Harness h;
  SerialSettings s;
  s.device = (h.dir / "never-there").string();
  LinkOptions o = fast_options();
  o.reopen_min = 5ms;
  o.reopen_max = 20ms;
  h.make_link(o, s);
  h.link->start();
  REQUIRE(h.pump_until([&] { return h.link->counters().open_failures >= 5; }));
  CHECK(h.link->counters().opens == 0);
  CHECK(h.link->state() == LinkState::down);
  CHECK(h.link->reason().find("never-there") != std::string::npos);
  CHECK(h.states.size() == 1);  // the same failure is reported once
  CHECK(h.link->send_data(pattern(4, 0)) == false);
  CHECK(h.link->counters().tx_refused == 1);
}

TEST_CASE("serial link: stop while reopening leaves no work and calls nothing after") {
  Harness h;
  SerialSettings s;
  s.device = (h.dir / "never-there").string();
  h.make_link(fast_options(), s);
  h.link->start();
  REQUIRE(h.pump_until([&] { return h.link->counters().open_failures >= 2; }));
  h.link->stop();
  const std::size_t calls = h.callbacks;
  h.io.restart();
  h.io.run_for(5s);  // returns as soon as there is no work left
  CHECK(h.io.stopped());
  CHECK(h.callbacks == calls);
  CHECK(h.link->counters().open_failures <= 3);
}

TEST_CASE("serial link: stop mid-write leaves no work and calls nothing after") {
  Harness h;
  h.plug();
  LinkOptions o = fast_options();
  o.tx_queue_limit = 100000;
  h.make_link(o);
  h.link->start();
  h.bring_up();

  // The node stops reading: the pty fills and a write stays pending.
  h.read_master = false;
  for (unsigned i = 0; i < 2000; ++i) REQUIRE(h.link->send_data(pattern(1000, i)));
  for (int i = 0; i < 50; ++i) h.step();
  CHECK(h.link->counters().tx_frames < 2000);

  h.link->stop();
  const std::size_t calls = h.callbacks;
  h.peer_send(FrameType::data, pattern(4, 4));  // would be a frame, were anyone listening
  h.io.restart();
  h.io.run_for(5s);
  CHECK(h.io.stopped());
  CHECK(h.callbacks == calls);
  CHECK_FALSE(h.link->port_open());
  CHECK(h.link->counters().tx_dropped > 0);

  // And it starts again from scratch on the same pty.
  h.read_master = true;
  h.peer->received.clear();
  h.link->start();
  REQUIRE(h.pump_until([&] { return h.peer->count(FrameType::hello) > 0; }));
  CHECK(h.link->counters().opens == 2);
}

TEST_CASE("serial link: bad settings and options are refused naming the field") {
  auto settings_error = [](SerialSettings s) -> std::string {
    try {
      validate(s);
    } catch (const LinkError& e) {
      return e.what();
    }
    return "";
  };
  SerialSettings good;
  good.device = "/dev/ttyUSB0";
  CHECK(settings_error(good).empty());
  SerialSettings s = good;
  s.device.clear();
  CHECK(settings_error(s).find("device") != std::string::npos);
  s = good;
  s.baud = 12345;
  CHECK(settings_error(s).find("baud 12345") != std::string::npos);
  s = good;
  s.stop_bits = 3;
  CHECK(settings_error(s).find("stop_bits") != std::string::npos);
  s = good;
  s.data_bits = 9;
  CHECK(settings_error(s).find("data_bits") != std::string::npos);
  s = good;
  s.parity = static_cast<Parity>(7);
  CHECK(settings_error(s).find("parity") != std::string::npos);

  auto options_error = [](LinkOptions o) -> std::string {
    try {
      validate(o);
    } catch (const LinkError& e) {
      return e.what();
    }
    return "";
  };
  CHECK(options_error(LinkOptions{}).empty());
  LinkOptions o;
  o.heartbeat_period = 0ms;
  CHECK(options_error(o).find("heartbeat_period") != std::string::npos);
  o = {};
  o.silence_timeout = -1ms;
  CHECK(options_error(o).find("silence_timeout") != std::string::npos);
  o = {};
  o.reopen_max = 10ms;
  CHECK(options_error(o).find("reopen_max") != std::string::npos);
  o = {};
  o.max_payload = 70000;
  CHECK(options_error(o).find("max_payload") != std::string::npos);
  o = {};
  o.tx_queue_limit = 0;
  CHECK(options_error(o).find("tx_queue_limit") != std::string::npos);

  boost::asio::io_context io;
  s = good;
  s.baud = 100;
  CHECK_THROWS_AS(SerialLink(io, s), LinkError);
}

// (A pty refuses 7 data bits with EINVAL, reported as "setting data_bits";
// the framing needs 8 anyway.)
TEST_CASE("serial link: a pty accepts 9600 baud, even parity and 2 stop bits") {
  Harness h;
  h.plug();
  SerialSettings s;
  s.baud = 9600;
  s.parity = Parity::even;
  s.stop_bits = 2;
  h.make_link(fast_options(), s);
  h.link->start();
  const bool opened = h.pump_until([&] { return h.link->counters().opens == 1; }, 2s);
  INFO(h.link->reason());
  CHECK(opened);
  CHECK(h.link->counters().open_failures == 0);
}
