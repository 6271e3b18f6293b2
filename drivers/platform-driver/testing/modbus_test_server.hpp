// A real libmodbus server for the tests: TCP on 127.0.0.1 (a free port, kept
// across stop/start so a test can kill and restart it), or RTU on one end of
// a pty pair. Registers persist across restarts; accessors are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

struct _modbus;
struct _modbus_mapping_t;

namespace watt::driver::testing {

class ModbusTestServer {
public:
  enum class Kind { tcp, rtu };
  // TCP: picks a free loopback port. RTU: opens two ptys bridged by a relay
  // thread; the server listens on one, device_path() is the other.
  explicit ModbusTestServer(Kind kind = Kind::tcp, int slave_id = 1);
  ~ModbusTestServer();
  ModbusTestServer(const ModbusTestServer&) = delete;
  ModbusTestServer& operator=(const ModbusTestServer&) = delete;

  void start();
  void stop();  // closes every connection; the next request gets no answer
  int port() const { return port_; }
  const std::string& device_path() const { return client_path_; }

  void set_holding(int address, std::uint16_t v);
  std::uint16_t holding(int address);
  void set_input(int address, std::uint16_t v);
  void set_coil(int address, bool v);
  bool coil(int address);
  void set_discrete(int address, bool v);
  std::uint64_t requests() const { return requests_; }

private:
  void serve_tcp();
  void serve_rtu();
  void close_server();
  void relay();

  Kind kind_;
  int slave_id_;
  int port_ = 0;
  std::string server_path_, client_path_;
  int pty_[4] = {-1, -1, -1, -1};  // server master, server slave, client master, client slave
  _modbus_mapping_t* map_ = nullptr;
  _modbus* ctx_ = nullptr;  // the server's context while it runs
  int listener_ = -1;
  std::mutex mutex_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> relay_stop_{false};
  std::atomic<std::uint64_t> requests_{0};
  std::thread thread_;
  std::thread relay_;
};

}  // namespace watt::driver::testing
