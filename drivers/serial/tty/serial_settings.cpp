// The check of serial port settings, so that a typo in a config fails at load
// time with the field's name instead of as an open failure retried forever.
#include "tty/serial_settings.hpp"

#include <algorithm>
#include <array>

namespace watt::serial {

namespace {

// The termios B-constants on Linux: Boost.Asio refuses any other rate with
// "invalid argument" at open, which would look like a broken port.
constexpr std::array<unsigned, 30> supported_bauds = {
    50,     75,     110,     134,     150,     200,     300,     600,     1200,    1800,
    2400,   4800,   9600,    19200,   38400,   57600,   115200,  230400,  460800,  500000,
    576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000};

}  // namespace

const char* to_string(Parity parity) {
  switch (parity) {
    case Parity::none: return "none";
    case Parity::even: return "even";
    case Parity::odd: return "odd";
  }
  return "?";
}

Parity parse_parity(const std::string& text, const std::string& field) {
  if (text == "none") return Parity::none;
  if (text == "even") return Parity::even;
  if (text == "odd") return Parity::odd;
  throw LinkError(field + " must be none, even or odd (got '" + text + "')");
}

bool is_supported_baud(unsigned baud) {
  return std::find(supported_bauds.begin(), supported_bauds.end(), baud) != supported_bauds.end();
}

void validate(const SerialSettings& settings) {
  if (settings.device.empty()) throw LinkError("serial settings: device is empty");
  if (!is_supported_baud(settings.baud)) {
    throw LinkError("serial settings: baud " + std::to_string(settings.baud) +
                    " is not a supported rate (e.g. 9600, 115200, 921600)");
  }
  if (settings.stop_bits != 1 && settings.stop_bits != 2) {
    throw LinkError("serial settings: stop_bits " + std::to_string(settings.stop_bits) + " must be 1 or 2");
  }
  if (settings.data_bits < 5 || settings.data_bits > 8) {
    throw LinkError("serial settings: data_bits " + std::to_string(settings.data_bits) + " must be 5 to 8");
  }
  switch (settings.parity) {
    case Parity::none:
    case Parity::even:
    case Parity::odd: return;
  }
  throw LinkError("serial settings: parity " + std::to_string(static_cast<unsigned>(settings.parity)) +
                  " is not none, even or odd");
}

}  // namespace watt::serial
