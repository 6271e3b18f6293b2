// The one exception type of the platform driver: a bad device configuration or
// registry, with a message naming the file, row and column at fault.
#pragma once

#include <watt/error.hpp>

namespace watt::driver {

class ConfigError : public watt::Error {
public:
  using watt::Error::Error;
};

}  // namespace watt::driver
