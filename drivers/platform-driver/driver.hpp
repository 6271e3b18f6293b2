// The interface every driver type implements. Values are doubles (a bool is
// 0/1, an int a whole number; the registry's Type says how to publish them).
// A device that does not answer is a value (an RpcError), never an exception.
#pragma once

#include "registry.hpp"

#include <watt/error.hpp>

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <string>

namespace watt::driver {

using Readings = std::map<std::string, double>;  // point name → value

class Driver {
public:
  virtual ~Driver() = default;
  // Throws ConfigError naming the field or registry row at fault.
  virtual void configure(const YAML::Node& driver_config, const Registry& registry) = 0;
  virtual Result<Readings> scrape_all() = 0;
  virtual Result<double> get_point(const std::string& point) = 0;
  // The write permission and type have been checked already; returns the
  // value the device holds afterwards.
  virtual Result<double> set_point(const std::string& point, double value) = 0;
  // Back to the registry's default (or the waveform); returns the value now held.
  virtual Result<double> revert_point(const std::string& point) = 0;
  virtual Result<bool> revert_device() = 0;
  // True when calls block on I/O: the agent then runs them on a worker thread.
  virtual bool blocking() const { return false; }
};

// "fake" or "modbus"; throws ConfigError naming `where` for another type.
std::unique_ptr<Driver> make_driver(const std::string& type, const std::string& where);

}  // namespace watt::driver
