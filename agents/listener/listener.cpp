// Listener: logs every message matching its patterns (default: all of them)
// as one JSON line: topic, sender, priority, headers and body.
#include <watt/watt.hpp>
#include <watt/yaml_keys.hpp>

#include <string>
#include <vector>

class Listener : public watt::Agent {
public:
  void on_config(const std::string& name, watt::ConfigAction action, const YAML::Node& value) override {
    if (name != "config") return;  // other stored files are not ours to read
    if (action == watt::ConfigAction::remove) {
      patterns_ = {"#"};
      if (started_) listen();
      return;
    }
    std::vector<std::string> patterns = {"#"};
    bool lossless = false;
    if (value["patterns"]) {
      if (!value["patterns"].IsSequence()) throw watt::Error("'patterns' must be a list of patterns");
      patterns.clear();
      for (std::size_t i = 0; i < value["patterns"].size(); ++i) {
        const auto p = value["patterns"][i].as<std::string>();
        if (auto err = watt::pattern_error(p); !err.empty())
          throw watt::Error("patterns[" + std::to_string(i) + "]: " + err);
        patterns.push_back(p);
      }
    }
    if (value["lossless"]) lossless = value["lossless"].as<bool>();
    if (auto err = watt::yaml::key_error(value, {"patterns", "lossless"}); !err.empty()) throw watt::Error(err);
    patterns_ = std::move(patterns);
    lossless_ = lossless;
    if (started_) listen();  // a live change: the new patterns take over now
  }

  void on_start() override {
    started_ = true;
    listen();
  }

private:
  void listen() {
    for (const auto id : subscriptions_) unsubscribe(id);
    subscriptions_.clear();
    watt::SubscribeOptions o;
    o.delivery = lossless_ ? watt::Delivery::lossless : watt::Delivery::best_effort;
    for (const auto& p : patterns_)
      subscriptions_.push_back(subscribe(
          p, [this](const watt::Envelope& e) { log().info("{}", e.to_json()); }, o));
    std::string list;
    for (const auto& p : patterns_) list += (list.empty() ? "" : ", ") + p;
    log().info("listening to {}", list);
  }

  std::vector<watt::SubscriptionId> subscriptions_;
  bool started_ = false;
  std::vector<std::string> patterns_ = {"#"};
  bool lossless_ = false;
};

WATT_AGENT(Listener)
