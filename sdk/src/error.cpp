// Names of the protocol's error codes, as they travel on the wire.
#include <watt/error.hpp>

#include <array>

namespace watt {
namespace {
constexpr std::array<std::string_view, 19> names = {"bad_frame",     "unsupported_version",
                                                    "unknown_kind",  "bad_topic",
                                                    "too_large",     "identity_taken",
                                                    "bad_identity",  "not_registered",
                                                    "unknown_peer",  "unknown_method",
                                                    "unauthorized",  "timeout",
                                                    "handler_threw", "bad_args",
                                                    "backpressure",  "shutting_down",
                                                    "peer_left",     "disconnected",
                                                    "internal"};
static_assert(names.size() == static_cast<std::size_t>(ErrorCode::internal) + 1);
}  // namespace

std::string_view to_string(ErrorCode code) noexcept { return names[static_cast<std::size_t>(code)]; }

ErrorCode error_code_from_string(std::string_view name) noexcept {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<ErrorCode>(i);
  return ErrorCode::internal;
}

}  // namespace watt
