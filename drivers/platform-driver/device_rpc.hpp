// What the agent's RPC methods do to one device: checked against its registry,
// run where the device's calls run (inline, or on its worker within a timeout),
// answered with typed values; every refusal a watt::Error naming the device.
#pragma once

#include "device.hpp"

#include <watt/value.hpp>

#include <msgpack.hpp>

#include <map>
#include <memory>
#include <string>

namespace watt::driver {

Value device_get_point(Device& d, const std::string& point, double timeout_s);
// Refused unless the point is Writable and `value` fits its Type.
Value device_set_point(Device& d, const std::string& point, const msgpack::object& value, double timeout_s);
Value device_revert_point(Device& d, const std::string& point, double timeout_s);
Value device_revert(Device& d, double timeout_s);
Value device_scrape(Device& d, double timeout_s);
// {device: {state, driver_type, interval, published, failures, last_error}}
Value devices_status(const std::map<std::string, std::unique_ptr<Device>>& devices,
                     const std::map<std::string, std::string>& broken);

}  // namespace watt::driver
