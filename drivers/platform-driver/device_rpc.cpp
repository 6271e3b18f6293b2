// The RPC operations on one device (see device_rpc.hpp).
#include "device_rpc.hpp"

#include "all_message.hpp"
#include "write_check.hpp"

#include <nlohmann/json.hpp>

namespace watt::driver {

namespace {

// The job: `call` on the driver, its value shaped by `shape`, a failure
// prefixed with the device's name.
template <class Call, class Shape>
DeviceJob job(const Device& d, Call call, Shape shape) {
  return [name = d.config.name, call = std::move(call), shape = std::move(shape)](Driver& dr) -> Result<Value> {
    auto r = call(dr);
    // An argument the driver refused stays bad_args; any other failure of
    // the device is the handler's.
    if (!r.ok())
      return RpcError{r.error().code == ErrorCode::bad_args ? ErrorCode::bad_args : ErrorCode::handler_threw,
                      name + ": " + r.error().message};
    return shape(std::move(r).value());
  };
}

// A point's value as its Type says.
auto typed(PointType type) {
  return [type](double v) { return typed_value(type, v); };
}

const Point& point_of(const Device& d, const std::string& point) {
  const auto* p = d.registry.find(point);
  if (p == nullptr) throw Refusal(ErrorCode::bad_args, d.config.name + " has no point '" + point + "'");
  return *p;
}

}  // namespace

DeviceJob get_point_job(const Device& d, const std::string& point) {
  return job(
      d, [point](Driver& dr) { return dr.get_point(point); }, typed(point_of(d, point).type));
}

DeviceJob set_point_job(const Device& d, const std::string& point, const msgpack::object& value) {
  auto checked = check_write(d.registry, d.config.name, point, value);
  if (!checked) throw Refusal(checked.error().code, checked.error().message);
  const double v = *checked;
  return job(
      d, [point, v](Driver& dr) { return dr.set_point(point, v); }, typed(point_of(d, point).type));
}

DeviceJob revert_point_job(const Device& d, const std::string& point) {
  const auto& p = point_of(d, point);
  if (!p.writable)
    throw Refusal(ErrorCode::bad_args, d.config.name + " " + point + ": not writable, nothing to revert");
  return job(
      d, [point](Driver& dr) { return dr.revert_point(point); }, typed(p.type));
}

DeviceJob revert_device_job(const Device& d) {
  return job(
      d, [](Driver& dr) { return dr.revert_device(); }, [](bool ok) { return Value::of(ok); });
}

DeviceJob scrape_job(const Device& d) {
  return job(
      d, [](Driver& dr) { return dr.scrape_all(); },
      [registry = d.registry](const Readings& r) { return readings_map(registry, r); });
}

namespace {
struct PointInfo {
  std::string units;
  std::string type;
  bool writable = false;
  MSGPACK_DEFINE_MAP(units, type, writable)
};
}  // namespace

Value device_points(const Device& d) {
  std::map<std::string, PointInfo> out;
  for (const auto& p : d.registry.points) out[p.name] = PointInfo{p.units, std::string(to_string(p.type)), p.writable};
  return Value::of(out);
}

Value devices_status(const std::map<std::string, std::unique_ptr<Device>>& devices,
                     const std::map<std::string, std::string>& broken) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, d] : devices)
    out[name] = {{"state", d->failing         ? "not answering"
                           : d->published > 0 ? "publishing"
                                              : "starting"},
                 {"driver_type", d->config.driver_type},
                 {"interval", d->interval_s},
                 {"published", d->published},
                 {"failures", d->failures},
                 {"last_error", d->last_error}};
  for (const auto& [name, error] : broken) out[name] = {{"state", "not configured"}, {"last_error", error}};
  return Value::from_json(out.dump());
}

}  // namespace watt::driver
