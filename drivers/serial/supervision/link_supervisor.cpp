#include "supervision/link_supervisor.hpp"

#include <algorithm>

namespace watt::serial {

const char* to_string(LinkState state) {
  switch (state) {
    case LinkState::opening: return "opening";
    case LinkState::up: return "up";
    case LinkState::down: return "down";
  }
  return "?";
}

LinkSupervisor::LinkSupervisor(const SupervisionOptions& options)
    : options_(options), delay_(options.reopen_min), next_delay_(options.reopen_min) {}

void LinkSupervisor::restart(Clock::time_point now) {
  state_ = LinkState::opening;
  reason_.clear();
  open_ = false;
  delay_ = next_delay_ = options_.reopen_min;
  next_open_ = now;
}

void LinkSupervisor::opened(Clock::time_point now) {
  open_ = true;
  last_heard_ = now;
  last_sent_ = now;
  silence_reported_ = false;
}

bool LinkSupervisor::failed(Clock::time_point now, std::string_view reason) {
  open_ = false;
  delay_ = next_delay_;
  next_delay_ = std::min(next_delay_ * 2, options_.reopen_max);
  next_open_ = now + delay_;
  return set(LinkState::down, reason);
}

bool LinkSupervisor::heard(Clock::time_point now, std::string_view up_reason) {
  last_heard_ = now;
  silence_reported_ = false;
  if (state_ == LinkState::up) return false;
  delay_ = next_delay_ = options_.reopen_min;
  return set(LinkState::up, up_reason);
}

bool LinkSupervisor::check_silence(Clock::time_point now, std::string_view reason) {
  if (!open_ || silence_reported_ || now < silence_deadline()) return false;
  silence_reported_ = true;
  return set(LinkState::down, reason);
}

LinkSupervisor::Clock::time_point LinkSupervisor::next_deadline(Clock::time_point now) const {
  if (!open_) return std::max(next_open_, now);
  auto next = heartbeat_deadline();
  if (!silence_reported_) next = std::min(next, silence_deadline());
  return std::max(next, now);
}

bool LinkSupervisor::set(LinkState state, std::string_view reason) {
  if (state == state_ && reason == reason_) return false;
  state_ = state;
  reason_.assign(reason);
  return true;
}

std::size_t TxQueue::push(QueuedFrame frame, bool front_in_progress) {
  if (frame.type == FrameType::data) ++data_;
  frames_.push_back(std::move(frame));
  const bool front_is_data = frames_.front().type == FrameType::data;
  const std::size_t waiting = data_ - (front_in_progress && front_is_data ? 1 : 0);
  if (waiting <= limit_) return 0;
  const auto first_waiting = frames_.begin() + (front_in_progress ? 1 : 0);
  frames_.erase(
      std::find_if(first_waiting, frames_.end(), [](const QueuedFrame& f) { return f.type == FrameType::data; }));
  --data_;
  return 1;
}

std::size_t TxQueue::clear() {
  const std::size_t lost = data_;
  frames_.clear();
  data_ = 0;
  return lost;
}

}  // namespace watt::serial
