// The RPC operations on one device (see device_rpc.hpp).
#include "device_rpc.hpp"

#include "all_message.hpp"
#include "write_check.hpp"

#include <chrono>
#include <functional>
#include <future>
#include <optional>

namespace watt::driver {

namespace {

// Runs fn(driver) where the device's calls run: here, or on its worker,
// waiting at most `timeout_s` for the answer (the SDK answers RPCs inline).
template <class T>
T on_device(Device& d, double timeout_s, std::function<Result<T>(Driver&)> fn) {
  std::optional<Result<T>> r;
  if (!d.worker) {
    r.emplace(fn(*d.driver));
  } else {
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    d.worker->submit([promise, fn, driver = d.driver] { promise->set_value(fn(*driver)); });
    if (future.wait_for(std::chrono::duration<double>(timeout_s)) != std::future_status::ready)
      throw Error(d.config.name + ": no answer within " + std::to_string(timeout_s) + " s");
    r.emplace(future.get());
  }
  if (!r->ok()) throw Error(d.config.name + ": " + r->error().message);
  return std::move(**r);
}

const Point& point_of(Device& d, const std::string& point) {
  const auto* p = d.registry.find(point);
  if (p == nullptr) throw Error(d.config.name + " has no point '" + point + "'");
  return *p;
}

}  // namespace

Value device_get_point(Device& d, const std::string& point, double timeout_s) {
  const auto& p = point_of(d, point);
  return typed_value(p.type, on_device<double>(d, timeout_s, [point](Driver& dr) { return dr.get_point(point); }));
}

Value device_set_point(Device& d, const std::string& point, const msgpack::object& value, double timeout_s) {
  auto checked = check_write(d.registry, d.config.name, point, value);
  if (!checked) throw Error(checked.error().message);
  const double v = *checked;
  const auto& p = point_of(d, point);
  return typed_value(p.type, on_device<double>(d, timeout_s, [point, v](Driver& dr) { return dr.set_point(point, v); }));
}

Value device_revert_point(Device& d, const std::string& point, double timeout_s) {
  const auto& p = point_of(d, point);
  if (!p.writable) throw Error(d.config.name + " " + point + ": not writable, nothing to revert");
  return typed_value(p.type, on_device<double>(d, timeout_s, [point](Driver& dr) { return dr.revert_point(point); }));
}

Value device_revert(Device& d, double timeout_s) {
  return Value::of(on_device<bool>(d, timeout_s, [](Driver& dr) { return dr.revert_device(); }));
}

Value device_scrape(Device& d, double timeout_s) {
  const auto readings = on_device<Readings>(d, timeout_s, [](Driver& dr) { return dr.scrape_all(); });
  return readings_map(d.registry, readings);
}

Value devices_status(const std::map<std::string, std::unique_ptr<Device>>& devices,
                     const std::map<std::string, std::string>& broken) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& [name, d] : devices)
    out[name] = {{"state", d->failing ? "not answering" : d->published > 0 ? "publishing" : "starting"},
                 {"driver_type", d->config.driver_type},
                 {"interval", std::to_string(d->interval_s)},
                 {"published", std::to_string(d->published)},
                 {"failures", std::to_string(d->failures)},
                 {"last_error", d->last_error}};
  for (const auto& [name, error] : broken) out[name] = {{"state", "not configured"}, {"last_error", error}};
  return Value::of(out);
}

}  // namespace watt::driver
