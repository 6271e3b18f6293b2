// Opening a serial device the way the node program needs it: raw bytes,
// non-blocking, the settings applied through termios. Standard library and
// POSIX only, so it builds on a single-board computer without Boost.
#pragma once

#include "tty/serial_settings.hpp"

#include <string>

namespace watt::serial {

// What went wrong opening a port: a run-time condition (the adapter is not
// plugged in), not a configuration mistake, so it is a result, not LinkError.
struct TtyOpen {
  int fd = -1;        // >= 0 on success: raw, non-blocking, close-on-exec
  std::string error;  // else why, e.g. "/dev/ttyUSB0: No such file or directory"
};

// `settings` must have passed validate(). The port is raw (no echo, no line
// editing, no translation of CR/LF, no flow control), 8 data bits unless
// configured otherwise, and reads return whatever has arrived.
TtyOpen open_tty(const SerialSettings& settings);

}  // namespace watt::serial
