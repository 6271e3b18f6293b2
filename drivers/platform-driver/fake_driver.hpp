// The fake driver: every point of the registry, holding its starting value or
// following its waveform, until a set_point overrides it (revert undoes that).
#pragma once

#include "driver.hpp"
#include "waveform.hpp"

#include <functional>
#include <optional>

namespace watt::driver {

class FakeDriver : public Driver {
public:
  // `clock` gives seconds for the waveforms; the default is wall-clock time.
  explicit FakeDriver(std::function<double()> clock = {});

  void configure(const YAML::Node& driver_config, const Registry& registry) override;
  Result<Readings> scrape_all() override;
  Result<double> get_point(const std::string& point) override;
  Result<double> set_point(const std::string& point, double value) override;
  Result<double> revert_point(const std::string& point) override;
  Result<bool> revert_device() override;

private:
  struct FakePoint {
    Point point;
    std::optional<Waveform> wave;
    std::optional<double> written;
  };
  double value_of(const FakePoint& p) const;
  FakePoint* find(const std::string& name);

  std::function<double()> clock_;
  std::vector<FakePoint> points_;
};

}  // namespace watt::driver
