// What a watt::Reply holds: the request it answers, and a gate to the runtime
// that outlives it, so a reply completed (or dropped) on another thread after
// the runtime is gone does nothing instead of touching freed memory.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace watt::detail {

class Runtime;

struct ReplyGate {
  std::mutex mutex;
  Runtime* rt = nullptr;  // null once the runtime is destroyed
};

// Every field but `gate` is read and written on the runtime's thread only.
struct ReplyState {
  std::shared_ptr<ReplyGate> gate;
  std::string caller;
  std::string method;
  std::uint64_t request_id = 0;
  std::uint64_t key = 0;   // in the runtime's open replies
  bool in_handler = true;  // the handler that got it has not returned yet
  bool dropped = false;    // dropped unanswered while in_handler
  bool answered = false;
};

}  // namespace watt::detail
