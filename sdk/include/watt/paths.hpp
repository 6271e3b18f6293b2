// Where a Watt installation keeps its state, and the broker's default address.
#pragma once

#include <watt/export.hpp>

#include <string>

namespace watt {

// $WATT_HOME, or ~/.watt when unset.
WATT_EXPORT std::string watt_home();
// ipc://<watt_home>/run/watt.sock
WATT_EXPORT std::string default_address();

}  // namespace watt
