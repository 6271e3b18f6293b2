// The SDK's clock is the wire's.
#include <watt/clock.hpp>
#include <watt/proto/clock.hpp>

namespace watt {

std::int64_t now_ns() noexcept { return proto::now_ns(); }

}  // namespace watt
