// The one clock of the wire: time stamps and deadlines are nanoseconds since
// the Unix epoch, read from the system clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace watt::proto {

inline std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace watt::proto
