// The driver types by name (see driver.hpp).
#include "config_error.hpp"
#include "driver.hpp"
#include "fake_driver.hpp"
#include "modbus_driver.hpp"

namespace watt::driver {

std::unique_ptr<Driver> make_driver(const std::string& type, const std::string& where) {
  if (type == "fake") return std::make_unique<FakeDriver>();
  if (type == "modbus") return std::make_unique<ModbusDriver>();
  throw ConfigError(where + ": driver_type '" + type + "' is not one of fake, modbus");
}

}  // namespace watt::driver
