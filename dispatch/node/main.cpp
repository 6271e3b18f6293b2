// watt-node: the program of one single-board lab node (docs/watt-node.md).
// It hosts the dispatch nodes of one run file, as `watt-ed plan` writes them,
// and reaches the bus either over a serial line through the serial bridge or,
// where it has a network, over TCP as a normal remote agent. See
// docs/watt-node.md.
#include <watt/ed/error.hpp>
#include <watt/ed/run_config.hpp>
#include "node_log.hpp"
#include "serial_node.hpp"
#ifdef WATT_NODE_TCP
#include "tcp_node.hpp"
#endif

#include <fcntl.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <exception>

namespace {

#ifdef WATT_NODE_TCP
constexpr const char* no_transport = "give the serial --device to the bridge, or the platform's address with --connect";
#else
constexpr const char* no_transport = "give the serial --device to the bridge (this build has no TCP mode)";
#endif

int stop_pipe[2] = {-1, -1};

extern "C" void on_signal(int) {
  const char byte = 1;
  [[maybe_unused]] const auto n = ::write(stop_pipe[1], &byte, 1);
}

// The run file and watt-node's own key beside it. Throws ed::Error or
// YAML::Exception; the caller names the file.
struct NodeFile {
  YAML::Node yaml;  // without pace_ms
  watt::ed::RunConfig run;
  std::chrono::milliseconds pace{0};
};

NodeFile load(const std::string& path) {
  NodeFile f;
  f.yaml = YAML::LoadFile(path);
  YAML::Node run = YAML::Clone(f.yaml);
  f.pace = watt::ed::take_ms(run, "pace_ms").value_or(std::chrono::milliseconds(0));
  f.run = watt::ed::parse_run_config(run);
  return f;
}

int run_serial(const NodeFile& file, watt::serial::SerialSettings port, watt::node::NodeLinkOptions link) {
  if (::pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    std::perror("watt-node: pipe");
    return 1;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  watt::node::SerialNode node(file.run, file.pace, std::move(port), link);
  return node.run(stop_pipe[0]);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"watt-node: dispatch nodes of one run file, on a serial line or over TCP"};
  std::string config;
  watt::serial::SerialSettings port;
  std::string parity = "none";
  watt::node::NodeLinkOptions link;
  auto heartbeat_ms = link.heartbeat_period.count();
  auto silence_ms = link.silence_timeout.count();
  app.add_option("-c,--config", config, "the node's run file, as `watt-ed plan` writes it")->required();
  [[maybe_unused]] auto* device =
      app.add_option("-d,--device", port.device, "serial device to the bridge (e.g. /dev/ttyUSB0)");
  app.add_option("--baud", port.baud, "baud rate")->capture_default_str();
  app.add_option("--parity", parity, "none, even or odd")->capture_default_str();
  app.add_option("--stop-bits", port.stop_bits, "1 or 2")->capture_default_str();
  app.add_option("--heartbeat-ms", heartbeat_ms, "heartbeat when idle this long")->capture_default_str();
  app.add_option("--silence-ms", silence_ms, "the bridge is down after this long unheard")->capture_default_str();
#ifdef WATT_NODE_TCP
  watt::node::TcpOptions tcp;
  auto* connect = app.add_option("--connect", tcp.address, "the platform's TCP address, instead of --device");
  app.add_option("-i,--identity", tcp.identity, "bus identity over TCP (default: <run>-<node> for one node)");
  app.add_option("--server-key", tcp.server_key, "the platform's public key (watt keys)");
  app.add_option("--key-file", tcp.key_file, "this node's key file (watt keys create)");
  device->excludes(connect);
#endif
  CLI11_PARSE(app, argc, argv);

  NodeFile file;
  try {
    file = load(config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "watt-node: %s: %s\n", config.c_str(), e.what());
    return 2;
  }
  try {
#ifdef WATT_NODE_TCP
    if (!tcp.address.empty()) {
      if (tcp.identity.empty()) {
        if (file.run.nodes.size() != 1)
          throw watt::ed::Error("--identity is required for a file hosting several nodes");
        tcp.identity = file.run.run + "-" + file.run.nodes.front().id;
      }
      return watt::node::run_tcp(file.yaml, tcp);
    }
#endif
    if (port.device.empty()) throw watt::ed::Error(no_transport);
    port.parity = watt::serial::parse_parity(parity, "--parity");
    link.heartbeat_period = std::chrono::milliseconds(heartbeat_ms);
    link.silence_timeout = std::chrono::milliseconds(silence_ms);
    return run_serial(file, std::move(port), link);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "watt-node: %s\n", e.what());
    return 2;
  }
}
