// The rules for peer identities, shared by the broker, the platform and clients.
#pragma once

#include <watt/export.hpp>

#include <string>
#include <string_view>

namespace watt {

inline constexpr std::size_t max_identity_bytes = 128;
// The broker's own address: the origin of what it says, the target of its
// own methods (stats, reload_auth).
inline constexpr std::string_view broker_identity = "broker";

// Why an identity is refused, or empty: 1–128 characters of
// letters, digits and . _ - @ :, not starting with '.', and not the reserved
// "broker".
WATT_EXPORT std::string identity_error(std::string_view identity);

}  // namespace watt
