// hello: the smallest useful agent. Greets on a timer, answers `greet` calls,
// and counts what it hears on `hello/#`.
#include <watt/watt.hpp>

#include <string>

class Hello : public watt::Agent {
public:
  void on_config(const std::string&, watt::ConfigAction, const YAML::Node& config) override {
    if (config["name"]) name_ = config["name"].as<std::string>();
    if (name_.empty()) throw watt::Error("name must not be empty");
  }

  void on_start() override {
    subscribe("hello", [this](const watt::Envelope& e) {
      ++heard_;
      log().info("{} says {}", e.sender, e.body.to_json());
    });
    export_method("greet", [this](const std::string& who) { return "hello " + who + ", from " + name_; });
    export_method("heard", [this] { return heard_; });
    every(std::chrono::seconds(5), [this] { publish("hello/" + identity(), "hello from " + name_); });
  }

private:
  std::string name_ = "hello-agent";
  long heard_ = 0;
};

WATT_AGENT(Hello)
