// Time as the bus stamps it: nanoseconds since the Unix epoch, from the
// system clock (Envelope::timestamp_ns, deadlines, historian records).
#pragma once

#include <watt/export.hpp>

#include <cstdint>

namespace watt {

WATT_EXPORT std::int64_t now_ns() noexcept;

}  // namespace watt
