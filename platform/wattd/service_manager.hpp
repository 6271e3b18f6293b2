// Telling systemd how wattd is (a Type=notify service, docs/deployment.md):
// READY=1 once the platform is up, WATCHDOG=1 while the broker answers,
// STOPPING=1 on the way out. The protocol is one datagram to the socket in
// $NOTIFY_SOCKET, which systemd documents as stable for programs to speak
// themselves; without it (not under systemd) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace watt::platform {

// Sends `state` ("READY=1\nSTATUS=…"); false when there is no manager to tell.
bool notify_service_manager(std::string_view state);

// How often systemd wants WATCHDOG=1 ($WATCHDOG_USEC, for this process only
// when $WATCHDOG_PID names another); nullopt when it wants none.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace watt::platform
