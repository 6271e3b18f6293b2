#include "container_port.hpp"

#include <watt/proto/batch.hpp>

namespace watt::detail {

ContainerPort::~ContainerPort() { leave_scheduler(); }

void ContainerPort::leave_scheduler() {
  if (scheduler_ == nullptr) return;
  scheduler_->watch(nullptr);
  scheduler_ = nullptr;
}

void ContainerPort::open(const std::string& address, const std::string& identity, const CurveKeys* curve) {
  identity_ = identity;
  connection_ = std::make_unique<SharedConnection>(address, identity, curve);
  mux_.on_resume([this] {
    pool_wake_.wake();
    io_wake_.wake();
  });
  if (scheduler_ != nullptr) scheduler_->watch(this);
}

void ContainerPort::close(int linger_ms) {
  if (!connection_) return;
  // No pool thread may be reading the connection as it goes.
  if (scheduler_ != nullptr) scheduler_->watch(nullptr);
  mux_.link(LinkEvent::disconnected);
  connection_->set_linger(linger_ms);
  connection_.reset();
}

void ContainerPort::send(proto::Kind kind, std::string_view address, std::string_view header, std::string_view body) {
  connection_->send(identity_, kind, address, header, body);
}

bool ContainerPort::try_receive(Incoming& out, std::string& error) {
  std::lock_guard lock(own_mutex_);
  if (!errors_.empty()) {
    error = std::move(errors_.front());
    errors_.pop_front();
    return true;
  }
  if (own_.empty()) return false;
  out = std::move(own_.front());
  own_.pop_front();
  return true;
}

bool ContainerPort::read_some() {
  // Bounded, so the reader goes on to run the turns it woke, and another
  // thread reads on. While an agent's queue is full nothing more is read:
  // what follows waits at the broker, under its limits and flow control.
  bool any = false;
  bool for_io = false;
  for (int i = 0; i < 256 && !mux_.intake_paused(); ++i) {
    Incoming in;
    std::string error;
    if (!connection_->try_receive(in, error)) break;
    any = true;
    if (error.empty()) error = take(in);
    if (!error.empty()) {
      std::lock_guard lock(own_mutex_);
      errors_.push_back(std::move(error));
      for_io = true;
    }
  }
  std::lock_guard lock(own_mutex_);
  if (for_io || !own_.empty()) io_wake_.wake();
  return any;
}

std::string ContainerPort::take(Incoming& in) {
  if (in.kind != proto::Kind::batch) {
    // Its own welcome: the agents may say hello now.
    if (in.kind == proto::Kind::welcome && (in.address_view().empty() || in.address_view() == identity_))
      mux_.link(LinkEvent::connected);
    if (!mux_.route(in)) {
      std::lock_guard lock(own_mutex_);
      own_.push_back(std::move(in));
    }
    return {};
  }
  const char* const base = in.frame.data<char>();
  std::string_view rest = in.body_view();
  while (!rest.empty()) {
    std::string_view item;
    Incoming one;
    std::string error = proto::take_batch_item(rest, item);
    if (error.empty()) {
      one.frame.copy(in.frame);
      error = one.parse(static_cast<std::size_t>(item.data() - base), item.size());
      if (error.empty() && one.kind == proto::Kind::batch) error = "a batch inside a batch";
    }
    if (!error.empty()) return "dropped the rest of a batch from the broker: " + error;
    if (auto err = take(one); !err.empty()) return err;
  }
  return {};
}

LinkEvent ContainerPort::next_event() {
  if (!connection_) return LinkEvent::none;
  const auto e = connection_->next_event();
  if (e == LinkEvent::disconnected) mux_.link(LinkEvent::disconnected);
  return e;
}

void ContainerPort::wait(Clock::time_point deadline) {
  if (!connection_) return;
  // The I/O thread reads only while no pool thread can.
  const auto look = scheduler_ == nullptr ? Scheduler::Outside::reads : scheduler_->outside_reads(handover);
  const bool reads = look == Scheduler::Outside::reads;
  if (look == Scheduler::Outside::offered) set_alarm(false);  // look again, should the offer not be taken
  connection_->wait(deadline, io_wake_, reads && !mux_.intake_paused(), true, stuck_.fd());
  // The next look (outside_reads) takes the reading over if it is stuck;
  // until then, a reader still in a turn (or an offer not yet taken) is
  // watched on.
  if (stuck_.clear()) set_alarm(true);
  if (!reads) return;
  read_some();
  if (scheduler_ != nullptr) scheduler_->outside_read();
}

void ContainerPort::poll(Clock::time_point deadline) {
  try {
    // The wait returns at once when something waits already.
    connection_->wait(deadline, pool_wake_, !mux_.intake_paused(), false);
    read_some();
  } catch (const std::exception& e) {
    // The I/O thread reports it, as it would have met it itself.
    std::lock_guard lock(own_mutex_);
    errors_.push_back(std::string("reading the container's connection: ") + e.what());
    io_wake_.wake();
  }
}

void ContainerPort::left_poll() noexcept {
  std::lock_guard lock(stuck_mutex_);
  if (!stuck_set_) stuck_.set(handover);
  stuck_set_ = true;
}

// The I/O thread. Under stuck_mutex_, and after the reader is seen out of
// poll() (left_poll comes after): whichever of the two comes second arms it.
void ContainerPort::set_alarm(bool went_off) {
  std::lock_guard lock(stuck_mutex_);
  if (went_off) stuck_set_ = false;
  if (stuck_set_ || scheduler_ == nullptr || !scheduler_->reader_busy()) return;
  stuck_.set(handover);
  stuck_set_ = true;
}

}  // namespace watt::detail
