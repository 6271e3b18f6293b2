// The line format of every Watt log, the platform's and each agent's: time,
// level, name, message. Control characters in the message are escaped (a
// newline becomes \n), so untrusted text that reaches a log line (an
// identity, a topic or a reason a peer sent) cannot forge lines of its own.
#pragma once

#include <watt/export.hpp>

#include <spdlog/logger.h>

#include <string>
#include <string_view>

namespace watt {

// Sets the format on the logger (and so on all its sinks).
WATT_EXPORT void set_log_format(spdlog::logger& logger);

// The text with control characters escaped: \n \r \t, others as \xHH. Bytes
// of 0x80 and above (UTF-8) are kept.
WATT_EXPORT std::string escape_control(std::string_view text);

}  // namespace watt
