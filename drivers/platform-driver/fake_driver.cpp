// The fake driver (see fake_driver.hpp).
#include "fake_driver.hpp"

#include "config_error.hpp"

#include <chrono>
#include <cmath>

namespace watt::driver {

namespace {
RpcError no_point(const std::string& name) { return RpcError{ErrorCode::internal, "no point '" + name + "'"}; }
}  // namespace

FakeDriver::FakeDriver(std::function<double()> clock) : clock_(std::move(clock)) {
  if (!clock_)
    clock_ = [] { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); };
}

void FakeDriver::configure(const YAML::Node& driver_config, const Registry& registry) {
  if (driver_config && driver_config.IsMap() && driver_config.size() > 0)
    throw ConfigError("driver_config: the fake driver takes no settings (its points come from the registry)");
  std::vector<FakePoint> points;
  for (const auto& p : registry.points) {
    FakePoint f{p, std::nullopt, std::nullopt};
    std::string error;
    f.wave = parse_waveform(p.column("waveform"), error);
    if (!error.empty()) throw ConfigError(registry.file + " row " + std::to_string(p.row) + ": " + error);
    points.push_back(std::move(f));
  }
  points_ = std::move(points);
}

double FakeDriver::value_of(const FakePoint& p) const {
  double v = p.written ? *p.written : p.wave ? p.wave->at(clock_()) : p.point.default_value.value_or(0.0);
  if (p.point.type == PointType::integer) v = std::round(v);
  if (p.point.type == PointType::boolean) v = v >= 0.5 ? 1.0 : 0.0;
  return v;
}

FakeDriver::FakePoint* FakeDriver::find(const std::string& name) {
  for (auto& p : points_)
    if (p.point.name == name) return &p;
  return nullptr;
}

Result<Readings> FakeDriver::scrape_all() {
  Readings out;
  for (const auto& p : points_) out.emplace(p.point.name, value_of(p));
  return out;
}

Result<double> FakeDriver::get_point(const std::string& point) {
  auto* p = find(point);
  if (p == nullptr) return no_point(point);
  return value_of(*p);
}

Result<double> FakeDriver::set_point(const std::string& point, double value) {
  auto* p = find(point);
  if (p == nullptr) return no_point(point);
  p->written = value;
  return value_of(*p);
}

Result<double> FakeDriver::revert_point(const std::string& point) {
  auto* p = find(point);
  if (p == nullptr) return no_point(point);
  p->written.reset();
  return value_of(*p);
}

Result<bool> FakeDriver::revert_device() {
  for (auto& p : points_) p.written.reset();
  return true;
}

}  // namespace watt::driver
