// A raw serial port through termios: see open_tty.hpp.
#include "tty/open_tty.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace watt::serial {

namespace {

speed_t speed_of(unsigned baud) {
  switch (baud) {
    case 50: return B50;
    case 75: return B75;
    case 110: return B110;
    case 134: return B134;
    case 150: return B150;
    case 200: return B200;
    case 300: return B300;
    case 600: return B600;
    case 1200: return B1200;
    case 1800: return B1800;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 500000: return B500000;
    case 576000: return B576000;
    case 921600: return B921600;
    case 1000000: return B1000000;
    case 1152000: return B1152000;
    case 1500000: return B1500000;
    case 2000000: return B2000000;
    case 2500000: return B2500000;
    case 3000000: return B3000000;
    case 3500000: return B3500000;
    case 4000000: return B4000000;
    default: return B0;  // validate() refuses these
  }
}

tcflag_t size_of(unsigned data_bits) {
  switch (data_bits) {
    case 5: return CS5;
    case 6: return CS6;
    case 7: return CS7;
    default: return CS8;
  }
}

TtyOpen failed(const std::string& device, const char* what) {
  TtyOpen r;
  r.error = device + ": " + what + std::strerror(errno);
  return r;
}

}  // namespace

TtyOpen open_tty(const SerialSettings& settings) {
  // O_NOCTTY: the port must never become this process's controlling terminal.
  const int fd = ::open(settings.device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return failed(settings.device, "");
  termios t{};
  if (::tcgetattr(fd, &t) != 0) {
    auto r = failed(settings.device, "not a serial port: ");
    ::close(fd);
    return r;
  }
  ::cfmakeraw(&t);
  t.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
  t.c_cflag |= CLOCAL | CREAD | size_of(settings.data_bits);
  if (settings.parity != Parity::none) t.c_cflag |= PARENB;
  if (settings.parity == Parity::odd) t.c_cflag |= PARODD;
  if (settings.stop_bits == 2) t.c_cflag |= CSTOPB;
  t.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  ::cfsetispeed(&t, speed_of(settings.baud));
  ::cfsetospeed(&t, speed_of(settings.baud));
  // Whatever the port held from before this open is a half frame at best.
  if (::tcsetattr(fd, TCSANOW, &t) != 0 || ::tcflush(fd, TCIOFLUSH) != 0) {
    auto r = failed(settings.device, "cannot configure: ");
    ::close(fd);
    return r;
  }
  TtyOpen r;
  r.fd = fd;
  return r;
}

}  // namespace watt::serial
