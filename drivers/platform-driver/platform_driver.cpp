// The platform driver agent: scrapes every configured device at its interval
// (staggered across devices), publishes devices/<campus>/<building>/<device>/all
// (with publish_depth_first, also devices/<campus>/<building>/<device>/<point>),
// and answers get_point / set_point / revert_point / revert_device / scrape_all
// / status over RPC (device_rpc.hpp). Blocking drivers (Modbus) run on a worker
// per device, and an RPC to one is answered when its worker is done
// (device_calls.hpp): the agent's thread never waits on a device.
#include "all_message.hpp"
#include "config_error.hpp"
#include "device.hpp"
#include "device_calls.hpp"
#include "device_rpc.hpp"

#include <watt/log_limiter.hpp>
#include <watt/watt.hpp>

#include <chrono>
#include <map>
#include <memory>

namespace wd = watt::driver;
using namespace std::chrono_literals;

namespace {

std::chrono::nanoseconds secs(double s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(s));
}

}  // namespace

class PlatformDriver : public watt::Agent {
public:
  void on_config(const std::string& name, watt::ConfigAction action, const YAML::Node& value) override {
    const bool remove = action == watt::ConfigAction::remove;
    if (name == "config") {
      settings_ = wd::parse_settings(remove ? YAML::Node() : value);
      if (started_) rebuild_all();
      return;
    }
    if (wd::is_device_config(name)) {
      auto previous = configs_;
      if (remove)
        configs_.erase(name);
      else
        configs_.insert_or_assign(name, wd::parse_device_config(name, value));
      if (started_) apply_or_restore(name, std::move(previous), registries_);
      return;
    }
    if (name.ends_with(".csv")) {
      auto previous = registries_;
      if (remove)
        registries_.erase(name);
      else
        registries_.insert_or_assign(name, value.as<std::string>());
      if (started_) apply_or_restore(name, configs_, std::move(previous));
    }
  }

  void on_start() override {
    started_ = true;
    export_point_method("get_point", wd::get_point_job);
    export_deferred_raw("set_point",
                        [this](const watt::Value& a, watt::Reply r) { refusing(r, [&] { set_point(a, r); }); });
    export_point_method("revert_point", wd::revert_point_job);
    export_device_method("revert_device", wd::revert_device_job);
    export_device_method("scrape_all", wd::scrape_job);
    export_raw("status", [this](const watt::Value&) { return status(); });
    export_raw("points", [this](const watt::Value& a) {
      const auto [device] = a.as<std::tuple<std::string>>();
      return wd::device_points(device_arg(device));
    });
    rebuild_all();
  }

  void on_stop() override {
    for (auto& [name, d] : devices_) stop_device(*d);
    devices_.clear();
  }

private:
  // A live change: every device is rebuilt from the new set of configurations.
  // When a device that `changed` names (its configuration or its registry) is
  // refused, nothing running is touched and the change is refused.
  void apply_or_restore(const std::string& changed, std::map<std::string, wd::DeviceConfig> configs,
                        std::map<std::string, std::string> regs) {
    try {
      build_all(changed);
    } catch (const std::exception&) {
      configs_ = std::move(configs);
      registries_ = std::move(regs);
      throw;
    }
  }

  void rebuild_all() { build_all({}); }

  // Builds every device whose configuration or registry changed, then swaps
  // them in; an unchanged device keeps running (its timers, its written values,
  // its connection). A device that cannot be built is logged and reported BAD
  // (or throws, if `changed` names it).
  void build_all(const std::string& changed) {
    std::map<std::string, std::unique_ptr<wd::Device>> fresh;
    std::map<std::string, std::string> broken;
    for (const auto& [name, config] : configs_) {
      auto old = devices_.find(config.name);
      if (old != devices_.end() && old->second->signature == signature(config)) {
        old->second->config = config;  // what the signature leaves out (publish_depth_first) applies as is
        continue;
      }
      try {
        fresh.emplace(config.name, build(config));
      } catch (const std::exception& e) {
        if (name == changed || config.registry_config == changed) throw;
        broken.emplace(config.name, e.what());
        log().error("device {} not started: {}", config.name, e.what());
      }
    }
    for (auto it = devices_.begin(); it != devices_.end();) {
      const bool kept =
          configs_.count("devices/" + it->first) != 0 && !fresh.count(it->first) && !broken.count(it->first);
      if (kept) {
        ++it;
        continue;
      }
      stop_device(*it->second);
      it = devices_.erase(it);
    }
    const auto added = fresh.size();
    for (auto& [name, d] : fresh) devices_.insert_or_assign(name, std::move(d));
    broken_ = std::move(broken);
    const auto n = devices_.size();
    std::size_t k = 0;
    for (auto& [name, d] : devices_) {
      if (d->start_timer == 0 && d->scrape_timer == 0)
        schedule(*d, wd::stagger_offset(k, n, d->interval_s, settings_.stagger));
      ++k;
    }
    log().info("{} devices running ({} new or changed), {} refused", devices_.size(), added, broken_.size());
    update_health();
  }

  // Everything a device is built from: equal signatures, nothing to rebuild.
  std::string signature(const wd::DeviceConfig& c) const {
    auto text = registries_.find(c.registry_config);
    YAML::Emitter e;
    e << c.driver_config;
    return c.driver_type + '\n' + e.c_str() + '\n' + c.registry_config + '\n' +
           (text == registries_.end() ? std::string("(missing)") : text->second) + '\n' +
           std::to_string(c.interval_s.value_or(settings_.interval_s)) + '\n' + c.timezone;
  }

  std::unique_ptr<wd::Device> build(const wd::DeviceConfig& config) {
    auto text = registries_.find(config.registry_config);
    if (text == registries_.end())
      throw wd::ConfigError("devices/" + config.name + ": registry_config '" + config.registry_config +
                            "' is not in the config store (watt config set " + identity() + " " +
                            config.registry_config + " FILE)");
    auto d = std::make_unique<wd::Device>();
    d->config = config;
    d->registry = wd::parse_registry(text->second, config.registry_config);
    std::unique_ptr<wd::Driver> driver = wd::make_driver(config.driver_type, "devices/" + config.name);
    driver->configure(config.driver_config, d->registry);
    d->driver = std::move(driver);
    if (d->driver->blocking()) d->worker = std::make_unique<wd::Worker>();
    d->generation = ++generation_;
    d->interval_s = config.interval_s.value_or(settings_.interval_s);
    d->signature = signature(config);
    return d;
  }

  void stop_device(wd::Device& d) {
    for (auto* t : {&d.start_timer, &d.scrape_timer, &d.retry_timer})
      if (*t != 0) cancel(*t);
    d.worker.reset();  // joins: its last answer is dropped by generation
    calls_.abandon(d.config.name, "stopped (reconfigured, removed or the agent stopping) before it answered");
  }

  void schedule(wd::Device& d, double offset_s) {
    const auto name = d.config.name;
    const auto gen = d.generation;
    d.start_timer = after(secs(offset_s), [this, name, gen] {
      auto* dev = find(name, gen);
      if (dev == nullptr) return;
      dev->start_timer = 0;
      dev->scrape_timer = every(secs(dev->interval_s), [this, name, gen] { scrape(name, gen, false); });
      scrape(name, gen, false);
    });
  }

  wd::Device* find(const std::string& name, std::uint64_t gen) {
    auto it = devices_.find(name);
    return it == devices_.end() || it->second->generation != gen ? nullptr : it->second.get();
  }

  // A regular scrape is skipped while a retry is pending: the retry schedule
  // (with its backoff) decides when a silent device is asked again.
  void scrape(const std::string& name, std::uint64_t gen, bool retry) {
    auto* d = find(name, gen);
    if (d == nullptr || d->busy || (!retry && d->retry_timer != 0)) return;
    if (!d->worker) return scraped(name, gen, d->driver->scrape_all());
    d->busy = true;
    d->worker->submit([this, name, gen, driver = d->driver] {
      auto r = driver->scrape_all();
      post([this, name, gen, r = std::move(r)]() mutable { scraped(name, gen, std::move(r)); });
    });
  }

  void scraped(const std::string& name, std::uint64_t gen, watt::Result<wd::Readings> r) {
    auto* d = find(name, gen);
    if (d == nullptr) return;
    d->busy = false;
    if (r.ok()) {
      if (d->failing) log().info("device {} answers again", name);
      d->failing = false;
      d->backoff_s = 0;
      ++d->published;
      publish_scrape(*d, *r);
      update_health();
      return;
    }
    ++d->failures;
    d->failing = true;
    d->last_error = r.error().message;
    d->backoff_s = wd::next_backoff(d->backoff_s, settings_.retry_min_s, settings_.retry_max_s);
    if (failure_log_.count(name))
      log().warn("device {} does not answer ({} times so far): {}; retrying in {} s", name, failure_log_.total(name),
                 d->last_error, d->backoff_s);
    d->retry_timer = after(secs(d->backoff_s), [this, name, gen] {
      if (auto* dev = find(name, gen)) dev->retry_timer = 0;
      scrape(name, gen, true);
    });
    update_health();
  }

  bool depth_first(const wd::DeviceConfig& c) const {
    return c.publish_depth_first.value_or(settings_.publish_depth_first);
  }

  // As VOLTTRON does: each point on its own topic first (when asked), then `all`.
  void publish_scrape(const wd::Device& d, const wd::Readings& readings) {
    const auto base = "devices/" + d.config.name + "/";
    if (depth_first(d.config)) {
      for (const auto& p : d.registry.points) {
        auto it = readings.find(p.name);
        if (it != readings.end()) publish_value(base + p.name, wd::point_message(p, it->second, d.config.timezone));
      }
    }
    publish_value(base + "all", wd::all_message(d.registry, readings, d.config.timezone));
  }

  void update_health() {
    std::string bad;
    for (const auto& [name, error] : broken_) bad += (bad.empty() ? "" : "; ") + name + ": not configured: " + error;
    for (const auto& [name, d] : devices_)
      if (d->failing) bad += (bad.empty() ? "" : "; ") + name + ": not answering: " + d->last_error;
    if (bad.empty())
      set_health(watt::Health::good, std::to_string(devices_.size()) + " devices");
    else
      set_health(watt::Health::bad, bad);
  }

  // ---- RPC ----

  wd::Device& device_arg(const std::string& device) {
    const auto name = device.starts_with("devices/") ? device.substr(8) : device;
    auto it = devices_.find(name);
    if (it == devices_.end()) {
      auto b = broken_.find(name);
      if (b != broken_.end()) throw watt::Error("device '" + name + "' is not configured: " + b->second);
      throw watt::Error("no device '" + name + "'");
    }
    return *it->second;
  }

  // A refusal (no such device or point, a bad value) is answered at once,
  // with its code; the device's own answer comes later.
  template <class F>
  static void refusing(watt::Reply& reply, F&& f) {
    try {
      f();
    } catch (const wd::Refusal& e) {
      if (reply) reply.fail(e.code, e.what());
    } catch (const watt::Error& e) {
      if (reply) reply.fail(watt::ErrorCode::bad_args, e.what());  // no such device, or arguments that do not fit
    }
  }

  void on_device(wd::Device& d, watt::Reply reply, wd::DeviceJob job, wd::DeviceCalls::Done done = {}) {
    calls_.run(d, std::move(reply), std::move(job), settings_.rpc_timeout_s, std::move(done));
  }

  // (device, point) → the job `make` gives.
  void export_point_method(const char* name, wd::DeviceJob (*make)(const wd::Device&, const std::string&)) {
    export_deferred_raw(name, [this, make](const watt::Value& args, watt::Reply reply) {
      refusing(reply, [&] {
        const auto [device, point] = args.as<std::tuple<std::string, std::string>>();
        auto& d = device_arg(device);
        on_device(d, std::move(reply), make(d, point));
      });
    });
  }

  // (device) → the job `make` gives.
  void export_device_method(const char* name, wd::DeviceJob (*make)(const wd::Device&)) {
    export_deferred_raw(name, [this, make](const watt::Value& args, watt::Reply reply) {
      refusing(reply, [&] {
        const auto [device] = args.as<std::tuple<std::string>>();
        auto& d = device_arg(device);
        on_device(d, std::move(reply), make(d));
      });
    });
  }

  // Takes the reply only once the request is accepted: a refusal is answered
  // by refusing().
  void set_point(const watt::Value& args, watt::Reply& reply) {
    auto handle = watt::detail::unpack_checked(args.bytes());
    const auto& a = handle.get();
    if (a.type != msgpack::type::ARRAY || a.via.array.size != 3 || a.via.array.ptr[0].type != msgpack::type::STR ||
        a.via.array.ptr[1].type != msgpack::type::STR)
      throw watt::Error("set_point takes (device, point, value)");
    auto& d = device_arg(a.via.array.ptr[0].as<std::string>());
    const auto point = a.via.array.ptr[1].as<std::string>();
    auto job = wd::set_point_job(d, point, a.via.array.ptr[2]);
    auto logged = [this, name = d.config.name, point, by = reply.caller()](const watt::Result<watt::Value>& r) {
      if (r.ok()) log().info("set_point {} {} = {} by {}", name, point, r.value().to_json(), by);
    };
    on_device(d, std::move(reply), std::move(job), std::move(logged));
  }

  watt::Value status() { return wd::devices_status(devices_, broken_); }

  bool started_ = false;
  wd::DriverSettings settings_;
  std::map<std::string, wd::DeviceConfig> configs_;             // by configuration name
  std::map<std::string, std::string> registries_;               // CSV text by name
  wd::DeviceCalls calls_{*this};                                // before devices_: their workers post into it
  std::map<std::string, std::unique_ptr<wd::Device>> devices_;  // by campus/building/device
  std::map<std::string, std::string> broken_;                   // devices refused at start, and why
  std::uint64_t generation_ = 0;
  watt::LogLimiter failure_log_;
};

WATT_AGENT(PlatformDriver)
