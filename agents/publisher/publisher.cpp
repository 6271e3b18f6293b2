// Publisher: a simulated meter publishing devices/<device>/all every period,
// a map of points {power_kw, voltage_v, seq}. For demos and load tests.
#include <watt/watt.hpp>
#include <watt/yaml_keys.hpp>

#include <cmath>
#include <map>
#include <string>

class Publisher : public watt::Agent {
public:
  void on_config(const std::string& name, watt::ConfigAction, const YAML::Node& v) override {
    if (auto err = watt::yaml::key_error(v, {"device", "period_ms", "priority", "count"}); !err.empty())
      throw watt::Error(name + ": " + err);
    if (v["device"]) device_ = v["device"].as<std::string>();
    if (auto err = watt::topic_error("devices/" + device_ + "/all"); !err.empty())
      throw watt::Error(name + ": device: " + err);
    if (v["period_ms"]) period_ms_ = v["period_ms"].as<long>();
    if (period_ms_ <= 0) throw watt::Error(name + ": period_ms must be positive");
    if (v["priority"]) priority_ = v["priority"].as<int>();
    if (priority_ < 0 || priority_ > 100) throw watt::Error(name + ": priority must be 0..100");
    if (v["count"]) count_ = v["count"].as<long>();
  }

  void on_start() override {
    const std::string topic = "devices/" + device_ + "/all";
    every(std::chrono::milliseconds(period_ms_), [this, topic] {
      const double t = static_cast<double>(seq_) * static_cast<double>(period_ms_) / 1000.0;
      const std::map<std::string, double> points = {
          {"power_kw", 40.0 + 15.0 * std::sin(t / 30.0)},
          {"voltage_v", 230.0 + 2.0 * std::sin(t / 7.0)},
          {"seq", static_cast<double>(seq_)},
      };
      watt::PublishOptions o;
      o.priority = static_cast<std::uint8_t>(priority_);
      publish(topic, points, o);
      ++seq_;
      if (count_ > 0 && seq_ >= count_) stop();
    });
    log().info("publishing {} every {} ms", topic, period_ms_);
  }

private:
  std::string device_ = "demo/meter1";
  long period_ms_ = 1000;
  int priority_ = 50;
  long count_ = 0;  // 0 = forever
  long seq_ = 0;
};

WATT_AGENT(Publisher)
