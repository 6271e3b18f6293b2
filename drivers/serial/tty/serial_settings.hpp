// How to open one serial port (device, baud, parity, stop and data bits), the
// check of those settings, and the serial link library's one exception.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace watt::serial {

// The watt-serial-link library's one exception: only for bad configuration
// or misuse, named by field. A port that cannot be opened, a cable pulled out
// or a silent node are expected at run time and never throw.
struct LinkError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Parity : std::uint8_t { none, even, odd };

const char* to_string(Parity parity);

struct SerialSettings {
  std::string device;  // e.g. /dev/serial/by-id/usb-FTDI_…, or /dev/ttyUSB0
  unsigned baud = 115200;
  Parity parity = Parity::none;
  unsigned stop_bits = 1;  // 1 or 2
  unsigned data_bits = 8;  // 5 to 8; the framing needs 8, smaller sizes are for other protocols
};

// Throws LinkError naming the first bad field: an empty device, a baud rate
// termios has no constant for, stop bits other than 1 or 2, data bits outside 5–8.
void validate(const SerialSettings& settings);

// True for the rates Linux termios can set by name (B50 … B4000000).
bool is_supported_baud(unsigned baud);

// "none", "even" or "odd"; throws LinkError naming `field` otherwise.
Parity parse_parity(const std::string& text, const std::string& field = "parity");

}  // namespace watt::serial
