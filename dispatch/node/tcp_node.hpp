// watt-node with a network: the same nodes as a normal remote agent of the
// platform over TCP (CurveZMQ), through the SDK's AgentHost and the ed-node
// agent's own class. Built only where the SDK is (WATT_NODE_TCP).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace watt::node {

struct TcpOptions {
  std::string address;     // tcp://HOST:PORT, as in the platform's run/tcp.endpoint
  std::string identity;    // the bus identity the key may claim
  std::string server_key;  // the platform's public key (watt keys)
  std::string key_file;    // this node's key pair (watt keys create)
};

// Runs until the run is over or a signal; the exit status as SerialNode::run.
// Throws watt::Error when the platform refuses or cannot be reached.
int run_tcp(const YAML::Node& config, const TcpOptions& options);

}  // namespace watt::node
