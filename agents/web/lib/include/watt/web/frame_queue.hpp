// What waits to be written to one browser (or SSE reader): bounded by bytes,
// so a client that does not read costs at most that much memory and never
// holds up the bus or other clients. What does not fit is dropped and
// counted, and the count is told to the client once it reads again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace watt::web {

class FrameQueue {
public:
  explicit FrameQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Queues a frame, or drops it when the queue is full. Returns whether it
  // was queued.
  bool push(std::string frame);
  // The next frame to write, or none. When frames were dropped since the
  // last one taken, a {"type":"dropped","total":N} notice comes first.
  std::optional<std::string> pop();

  bool empty() const { return frames_.empty() && !notice_due_; }
  std::size_t bytes() const { return bytes_; }
  std::uint64_t dropped() const { return dropped_; }

private:
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::deque<std::string> frames_;
  std::uint64_t dropped_ = 0;
  bool notice_due_ = false;
};

}  // namespace watt::web
