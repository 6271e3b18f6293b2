// Listener: logs every message matching its patterns (default: all of them)
// as one JSON line: topic, sender, priority, headers and body.
#include <watt/watt.hpp>

#include <string>
#include <vector>

class Listener : public watt::Agent {
public:
  void on_config(const std::string& name, watt::ConfigAction action, const YAML::Node& value) override {
    if (action == watt::ConfigAction::remove) {
      patterns_ = {"#"};
      return;
    }
    std::vector<std::string> patterns = {"#"};
    bool lossless = false;
    if (value["patterns"]) {
      if (!value["patterns"].IsSequence()) throw watt::Error(name + ": 'patterns' must be a list of patterns");
      patterns.clear();
      for (std::size_t i = 0; i < value["patterns"].size(); ++i) {
        const auto p = value["patterns"][i].as<std::string>();
        if (auto err = watt::pattern_error(p); !err.empty())
          throw watt::Error(name + ": patterns[" + std::to_string(i) + "]: " + err);
        patterns.push_back(p);
      }
    }
    if (value["lossless"]) lossless = value["lossless"].as<bool>();
    for (const auto& kv : value) {
      const auto key = kv.first.as<std::string>();
      if (key != "patterns" && key != "lossless")
        throw watt::Error(name + ": unknown key '" + key + "' (known: patterns, lossless)");
    }
    patterns_ = std::move(patterns);
    lossless_ = lossless;
  }

  void on_start() override {
    watt::SubscribeOptions o;
    o.delivery = lossless_ ? watt::Delivery::lossless : watt::Delivery::best_effort;
    for (const auto& p : patterns_) subscribe(p, [this](const watt::Envelope& e) { log().info("{}", e.to_json()); }, o);
    std::string list;
    for (const auto& p : patterns_) list += (list.empty() ? "" : ", ") + p;
    log().info("listening to {}", list);
  }

private:
  std::vector<std::string> patterns_ = {"#"};
  bool lossless_ = false;
};

WATT_AGENT(Listener)
