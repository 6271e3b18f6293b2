// The Modbus driver: one device over TCP (host, port) or RTU (a serial device)
// through libmodbus. Calls block, so the agent runs them on a worker; a device
// that does not answer gives an error value and the link is reopened next time.
#pragma once

#include "driver.hpp"
#include "modbus_blocks.hpp"
#include "modbus_point.hpp"

#include <optional>
#include <string>
#include <vector>

struct _modbus;  // NOLINT(bugprone-reserved-identifier): libmodbus names its context so (modbus_t)

namespace watt::driver {

struct ModbusLink {
  std::string host;  // TCP: a host name or address …
  int port = 502;
  std::string device;  // … or RTU: a serial device path
  int baud = 9600;
  char parity = 'N';
  int data_bits = 8;
  int stop_bits = 1;
  int slave_id = 1;
  double response_timeout_s = 1.0;
  int max_gap = 0;  // unused registers (or bits) a coalesced read may span between points
};

// Throws ConfigError naming the driver_config key at fault.
ModbusLink parse_modbus_link(const YAML::Node& driver_config);

class ModbusDriver : public Driver {
public:
  ModbusDriver() = default;
  ~ModbusDriver() override;
  ModbusDriver(const ModbusDriver&) = delete;
  ModbusDriver& operator=(const ModbusDriver&) = delete;

  void configure(const YAML::Node& driver_config, const Registry& registry) override;
  Result<Readings> scrape_all() override;
  Result<double> get_point(const std::string& point) override;
  Result<double> set_point(const std::string& point, double value) override;
  Result<double> revert_point(const std::string& point) override;
  Result<bool> revert_device() override;
  bool blocking() const override { return true; }

private:
  // Reads the block in one request and decodes its points into `out`.
  std::optional<RpcError> read_block(const ModbusBlock& b, Readings& out);
  Result<double> read(const ModbusPoint& p);
  Result<double> write(const ModbusPoint& p, double value);
  RpcError failure(const std::string& what);
  bool connect(std::string& error);
  void disconnect();
  const ModbusPoint* find(const std::string& name) const;
  std::string where() const;

  ModbusLink link_;
  std::vector<ModbusPoint> points_;
  std::vector<ModbusBlock> blocks_;  // what scrape_all reads: one request each
  _modbus* ctx_ = nullptr;
};

}  // namespace watt::driver
