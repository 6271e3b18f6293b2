// The serial link on Boost.Asio: the open/reopen cycle, the read loop into a
// FrameDecoder, the single-writer transmit queue, heartbeats and the silence
// watch. Every handler carries the session it was started in, so a
// completion from a port that has since been closed (or from before stop())
// does nothing.
#include "link/serial_link.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <termios.h>

#include <algorithm>
#include <array>
#include <deque>
#include <utility>
#include <vector>

namespace watt::serial {

namespace asio = boost::asio;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

void validate(const LinkOptions& o) {
  using std::chrono::milliseconds;
  if (o.heartbeat_period <= milliseconds::zero())
    throw LinkError("serial link options: heartbeat_period must be positive");
  if (o.silence_timeout <= milliseconds::zero())
    throw LinkError("serial link options: silence_timeout must be positive");
  if (o.reopen_min <= milliseconds::zero()) throw LinkError("serial link options: reopen_min must be positive");
  if (o.reopen_max < o.reopen_min) throw LinkError("serial link options: reopen_max must be at least reopen_min");
  if (o.max_payload == 0 || o.max_payload > 0xFFFF)
    throw LinkError("serial link options: max_payload must be 1 to 65535 (it travels in 16 bits in the hello)");
  if (o.tx_queue_limit == 0) throw LinkError("serial link options: tx_queue_limit must be at least 1");
}

class SerialLink::Impl : public std::enable_shared_from_this<Impl> {
public:
  Impl(asio::io_context& io, SerialSettings settings, LinkOptions options, Callbacks callbacks)
      : settings_(std::move(settings)),
        options_(options),
        callbacks_(std::move(callbacks)),
        port_(io),
        reopen_timer_(io),
        heartbeat_timer_(io),
        silence_timer_(io),
        supervisor_(options),
        tx_queue_(options.tx_queue_limit) {}

  void start() {
    if (running_) return;
    running_ = true;
    supervisor_.restart(Clock::now());
    ++session_;
    asio::post(port_.get_executor(), [self = shared_from_this(), s = session_] {
      if (self->live(s)) self->try_open();
    });
  }

  void stop() {
    running_ = false;
    ++session_;
    close_port();
    reopen_timer_.cancel();
  }

  bool send_data(std::span<const std::uint8_t> payload) {
    // Until the node's hello says otherwise it is assumed to take the
    // protocol's default, so a node that never sends one still gets nothing
    // longer than it must accept.
    const std::size_t peer_limit = peer_hello_ ? peer_hello_->max_payload : default_max_payload;
    const std::size_t limit = std::min(options_.max_payload, peer_limit);
    if (!running_ || !port_.is_open() || payload.size() > limit) {
      ++counters_.tx_refused;
      return false;
    }
    enqueue(Frame{FrameType::data, tx_seq_.next(), {payload.begin(), payload.end()}}, {});
    return true;
  }

  LinkState state() const { return supervisor_.state(); }
  const std::string& reason() const { return supervisor_.reason(); }
  bool port_open() const { return port_.is_open(); }
  std::optional<Hello> peer_hello() const { return peer_hello_; }
  std::chrono::milliseconds reopen_delay() const { return supervisor_.reopen_delay(); }
  const SerialSettings& settings() const { return settings_; }

  LinkCounters counters() const {
    LinkCounters c = counters_;
    c.rx = rx_past_;
    if (decoder_) c.rx += decoder_->counters();
    return c;
  }

private:
  bool live(std::uint64_t session) const { return running_ && session == session_; }

  void try_open() {
    error_code ec;
    port_.open(settings_.device, ec);
    std::string what;
    if (!ec) what = configure(ec);
    if (ec) {
      if (port_.is_open()) {
        error_code ignored;
        port_.close(ignored);
      }
      ++counters_.open_failures;
      if (!what.empty()) what = "setting " + what + ": ";
      fail("cannot open " + settings_.device + ": " + what + ec.message());
      return;
    }
    ++counters_.opens;
    ++session_;
    decoder_.emplace(options_.max_payload);
    tx_seq_ = SequenceCounter{};
    peer_hello_.reset();
    supervisor_.opened(Clock::now());

    // A 0x00 first ends whatever half frame the node holds from before, so
    // the hello arrives whole (docs/serial-protocol.md, Start-up).
    Hello hello;
    hello.max_payload = static_cast<std::uint16_t>(options_.max_payload);
    enqueue(Frame{FrameType::hello, tx_seq_.next(), encode_hello(hello)}, {0x00});
    start_read();
    arm_heartbeat();
    arm_silence(supervisor_.silence_deadline());
  }

  // Returns the name of the option the driver refused, so the report says
  // which setting this port cannot do.
  const char* configure(error_code& ec) {
    using base = asio::serial_port_base;
    port_.set_option(base::baud_rate(settings_.baud), ec);
    if (ec) return "baud";
    port_.set_option(base::character_size(settings_.data_bits), ec);
    if (ec) return "data_bits";
    const auto parity = settings_.parity == Parity::even  ? base::parity::even
                        : settings_.parity == Parity::odd ? base::parity::odd
                                                          : base::parity::none;
    port_.set_option(base::parity(parity), ec);
    if (ec) return "parity";
    port_.set_option(base::stop_bits(settings_.stop_bits == 2 ? base::stop_bits::two : base::stop_bits::one), ec);
    if (ec) return "stop_bits";
    port_.set_option(base::flow_control(base::flow_control::none), ec);
    return ec ? "flow_control" : "";
  }

  // DOWN for `reason`, and a reopen after the backoff.
  void fail(const std::string& reason) {
    if (supervisor_.failed(Clock::now(), reason)) report();
    if (!running_) return;
    reopen_timer_.expires_at(supervisor_.next_open());
    reopen_timer_.async_wait([self = shared_from_this(), s = session_](const error_code& ec) {
      if (!ec && self->live(s)) self->try_open();
    });
  }

  // Closing drops what was queued for the old port: a node that comes back
  // starts with a hello, and stale readings after it would mislead.
  void close_port() {
    if (port_.is_open()) {
      // Discard unsent output first: on a real UART driver close() waits for
      // the output to drain (up to 30 s), which would stall every link on
      // this io_context.
      ::tcflush(port_.native_handle(), TCIOFLUSH);
      error_code ignored;
      port_.close(ignored);
    }
    heartbeat_timer_.cancel();
    silence_timer_.cancel();
    counters_.tx_dropped += tx_queue_.clear();
    if (in_flight_data_) ++counters_.tx_dropped;
    in_flight_data_ = false;
    writing_ = false;
    // A callback inside feed() may stop the link: the decoder then goes when
    // feed() has returned (on_read), never from under it.
    if (!feeding_) retire_decoder();
  }

  void retire_decoder() {
    if (decoder_) rx_past_ += decoder_->counters();
    decoder_.reset();
  }

  void lose_port(const std::string& reason) {
    ++session_;
    close_port();
    fail(reason);
  }

  // Reports a change of state or reason; a callback may call stop(), so
  // callers check live() (or running_) before touching the port again.
  void report() {
    if (running_ && callbacks_.on_state) callbacks_.on_state(supervisor_.state(), supervisor_.reason());
  }

  void start_read() {
    port_.async_read_some(asio::buffer(rx_buffer_),
                          [self = shared_from_this(), s = session_](const error_code& ec, std::size_t n) {
                            if (self->live(s)) self->on_read(s, ec, n);
                          });
  }

  void on_read(std::uint64_t session, const error_code& ec, std::size_t n) {
    if (ec) {
      ++counters_.read_errors;
      lose_port("read error: " + ec.message());
      return;
    }
    feeding_ = true;
    decoder_->feed(std::span(rx_buffer_).first(n), [this, session](const ReceivedFrame& f) {
      if (live(session)) on_frame(f.frame);
    });
    feeding_ = false;
    if (live(session)) {
      start_read();
    } else if (!port_.is_open()) {
      retire_decoder();
    }
  }

  void on_frame(const Frame& frame) {
    if (supervisor_.heard(Clock::now(), "peer heard")) {
      report();
      if (!running_) return;
      arm_silence(supervisor_.silence_deadline());  // it stopped when the link went down
    }
    switch (frame.type) {
      case FrameType::heartbeat: ++counters_.heartbeats_received; break;
      case FrameType::hello:
        ++counters_.hellos_received;
        // The decoder has already restarted its sequence check for it.
        peer_hello_ = parse_hello(frame.payload);
        if (peer_hello_ && callbacks_.on_hello) callbacks_.on_hello(*peer_hello_);
        break;
      case FrameType::data:
        if (callbacks_.on_frame) callbacks_.on_frame(frame);
        break;
    }
  }

  void enqueue(const Frame& frame, std::vector<std::uint8_t> prefix) {
    std::vector<std::uint8_t> bytes = std::move(prefix);
    const std::vector<std::uint8_t> encoded = encode_frame(frame, 0xFFFF);
    bytes.insert(bytes.end(), encoded.begin(), encoded.end());
    counters_.tx_dropped += tx_queue_.push(QueuedFrame{frame.type, std::move(bytes)});
    supervisor_.sent(Clock::now());
    start_write();
  }

  void start_write() {
    if (writing_ || tx_queue_.empty()) return;
    writing_ = true;
    // The bytes move into the handler, so a closed port's cancelled write
    // never points into a queue that has moved on.
    auto out = std::make_shared<QueuedFrame>(std::move(tx_queue_.front()));
    tx_queue_.pop_front();
    in_flight_data_ = out->type == FrameType::data;
    asio::async_write(port_, asio::buffer(out->bytes),
                      [self = shared_from_this(), s = session_, out](const error_code& ec, std::size_t) {
                        if (self->live(s)) self->on_written(ec, out->type);
                      });
  }

  void on_written(const error_code& ec, FrameType type) {
    writing_ = false;
    in_flight_data_ = false;
    if (ec) {
      ++counters_.write_errors;
      lose_port("write error: " + ec.message());
      return;
    }
    ++counters_.tx_frames;
    if (type == FrameType::heartbeat) ++counters_.heartbeats_sent;
    supervisor_.sent(Clock::now());  // a long write is the peer hearing from us too
    start_write();
  }

  void arm_heartbeat() {
    const auto now = Clock::now();
    auto at = supervisor_.heartbeat_deadline();
    if (at <= now) at = now + options_.heartbeat_period;  // due while writing: look again a period on
    heartbeat_timer_.expires_at(at);
    heartbeat_timer_.async_wait([self = shared_from_this(), s = session_](const error_code& ec) {
      if (ec || !self->live(s)) return;
      if (self->supervisor_.heartbeat_due(Clock::now()) && self->tx_queue_.empty() && !self->writing_)
        self->enqueue(Frame{FrameType::heartbeat, self->tx_seq_.next(), {}}, {});
      self->arm_heartbeat();
    });
  }

  void arm_silence(Clock::time_point deadline) {
    silence_timer_.expires_at(deadline);
    silence_timer_.async_wait([self = shared_from_this(), s = session_](const error_code& ec) {
      if (!ec && self->live(s)) self->on_silence_timer();
    });
  }

  // Re-armed only while something was heard in time; once DOWN for silence
  // the next frame arms it again.
  void on_silence_timer() {
    const auto now = Clock::now();
    if (now < supervisor_.silence_deadline()) {
      arm_silence(supervisor_.silence_deadline());
      return;
    }
    if (supervisor_.check_silence(now, "peer silent")) report();
  }

  SerialSettings settings_;
  LinkOptions options_;
  Callbacks callbacks_;
  asio::serial_port port_;
  asio::steady_timer reopen_timer_;
  asio::steady_timer heartbeat_timer_;
  asio::steady_timer silence_timer_;

  bool running_ = false;
  std::uint64_t session_ = 0;  // bumped on every open, close and stop
  LinkSupervisor supervisor_;  // backoff, up/down, heartbeat and silence

  std::optional<FrameDecoder> decoder_;  // one per open: a reopened port starts clean
  DecoderCounters rx_past_;              // the decoders of earlier opens
  std::array<std::uint8_t, 4096> rx_buffer_{};
  bool feeding_ = false;
  std::optional<Hello> peer_hello_;

  SequenceCounter tx_seq_;
  TxQueue tx_queue_;
  bool writing_ = false;
  bool in_flight_data_ = false;
  LinkCounters counters_;
};

SerialLink::SerialLink(asio::io_context& io, SerialSettings settings, LinkOptions options, Callbacks callbacks) {
  validate(settings);
  validate(options);
  impl_ = std::make_shared<Impl>(io, std::move(settings), options, std::move(callbacks));
}

SerialLink::~SerialLink() { impl_->stop(); }

void SerialLink::start() { impl_->start(); }
void SerialLink::stop() { impl_->stop(); }
bool SerialLink::send_data(std::span<const std::uint8_t> payload) { return impl_->send_data(payload); }
LinkState SerialLink::state() const { return impl_->state(); }
const std::string& SerialLink::reason() const { return impl_->reason(); }
bool SerialLink::port_open() const { return impl_->port_open(); }
LinkCounters SerialLink::counters() const { return impl_->counters(); }
std::optional<Hello> SerialLink::peer_hello() const { return impl_->peer_hello(); }
std::chrono::milliseconds SerialLink::reopen_delay() const { return impl_->reopen_delay(); }
const SerialSettings& SerialLink::settings() const { return impl_->settings(); }

}  // namespace watt::serial
