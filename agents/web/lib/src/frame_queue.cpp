#include <watt/web/frame_queue.hpp>

namespace watt::web {

bool FrameQueue::push(std::string frame) {
  // One frame always fits an empty queue, however large: a big last-value
  // snapshot must still reach a client that reads.
  if (!frames_.empty() && bytes_ + frame.size() > max_bytes_) {
    ++dropped_;
    notice_due_ = true;
    return false;
  }
  bytes_ += frame.size();
  frames_.push_back(std::move(frame));
  return true;
}

std::optional<std::string> FrameQueue::pop() {
  if (notice_due_ && bytes_ < max_bytes_ / 2) {
    notice_due_ = false;
    return R"({"type":"dropped","total":)" + std::to_string(dropped_) + "}";
  }
  if (frames_.empty()) return std::nullopt;
  std::string f = std::move(frames_.front());
  frames_.pop_front();
  bytes_ -= f.size();
  return f;
}

}  // namespace watt::web
