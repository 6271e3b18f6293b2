// Where a Watt installation keeps its state, and the broker's default address.
#pragma once

#include <watt/export.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace watt {

// $WATT_HOME, or ~/.watt when unset.
WATT_EXPORT std::string watt_home();
// ipc://<watt_home>/run/watt.sock
WATT_EXPORT std::string default_address();
// Replaces `file` with `text` so that a crash leaves the old file or the new,
// never a part: written beside it, synced, renamed over it, and the folder
// synced. Throws watt::Error naming the file.
WATT_EXPORT void write_file_atomically(const std::filesystem::path& file, std::string_view text, unsigned mode = 0600);

}  // namespace watt
