// What the agent's RPC methods do to one device: checked against its registry
// on the agent's thread (every refusal a Refusal naming the device), then
// a job that runs where the device's calls run (inline, or on its worker) and
// gives the typed answer, or an RpcError naming the device.
#pragma once

#include "device.hpp"

#include <watt/value.hpp>

#include <msgpack.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace watt::driver {

// A request refused before it reaches the device, with the code its caller
// gets: bad_args (no such point, a value its Type does not take),
// unauthorized (not Writable).
struct Refusal : Error {
  Refusal(ErrorCode c, const std::string& what) : Error(what), code(c) {}
  ErrorCode code;
};

// Safe to run on the device's worker: it holds copies of what it needs.
using DeviceJob = std::function<Result<Value>(Driver&)>;

DeviceJob get_point_job(const Device& d, const std::string& point);
// Refused unless the point is Writable and `value` fits its Type.
DeviceJob set_point_job(const Device& d, const std::string& point, const msgpack::object& value);
DeviceJob revert_point_job(const Device& d, const std::string& point);
DeviceJob revert_device_job(const Device& d);
DeviceJob scrape_job(const Device& d);
// {point: {units, type, writable}} from the device's registry: what a
// bridge needs to show the points elsewhere (Home Assistant's discovery).
Value device_points(const Device& d);
// {device: {state, driver_type, interval, published, failures, last_error}},
// the numbers as numbers.
Value devices_status(const std::map<std::string, std::unique_ptr<Device>>& devices,
                     const std::map<std::string, std::string>& broken);

}  // namespace watt::driver
