// One broker subscription the bridge makes.
#pragma once

#include <string>

namespace watt::mqtt {

struct Subscription {
  std::string filter;
  int qos = 1;
  bool no_local = false;  // MQTT 5: not the messages this client published
};

}  // namespace watt::mqtt
