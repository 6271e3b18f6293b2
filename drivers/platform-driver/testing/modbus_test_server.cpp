// The tests' libmodbus server (see modbus_test_server.hpp).
#include "testing/modbus_test_server.hpp"

#include <modbus.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <stdexcept>

namespace watt::driver::testing {

namespace {

int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(s);
    throw std::runtime_error("no free port");
  }
  ::close(s);
  return ntohs(a.sin_port);
}

bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

void open_pty(int& master, int& slave, std::string& path) {
  char name[256] = {};
  if (::openpty(&master, &slave, name, nullptr, nullptr) != 0) throw std::runtime_error("openpty failed");
  termios t{};
  ::tcgetattr(slave, &t);
  ::cfmakeraw(&t);  // bytes as they are: Modbus RTU is binary
  ::tcsetattr(slave, TCSANOW, &t);
  path = name;
}

}  // namespace

ModbusTestServer::ModbusTestServer(Kind kind, int slave_id) : kind_(kind), slave_id_(slave_id) {
  map_ = modbus_mapping_new(1000, 1000, 1000, 1000);
  if (map_ == nullptr) throw std::runtime_error("modbus_mapping_new failed");
  if (kind_ == Kind::tcp) {
    port_ = free_port();
  } else {
    open_pty(pty_[0], pty_[1], server_path_);
    open_pty(pty_[2], pty_[3], client_path_);
    relay_ = std::thread([this] { relay(); });
  }
}

ModbusTestServer::~ModbusTestServer() {
  stop();
  relay_stop_ = true;
  if (relay_.joinable()) relay_.join();
  for (int fd : pty_)
    if (fd >= 0) ::close(fd);
  modbus_mapping_free(map_);
}

// Listening (or the port open) before start returns, so a client never races it.
void ModbusTestServer::start() {
  if (thread_.joinable()) return;
  stop_ = false;
  if (kind_ == Kind::tcp) {
    ctx_ = modbus_new_tcp("127.0.0.1", port_);
    listener_ = modbus_tcp_listen(ctx_, 1);
    if (listener_ < 0) throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port_));
  } else {
    ctx_ = modbus_new_rtu(server_path_.c_str(), 115200, 'N', 8, 1);
    modbus_set_slave(ctx_, slave_id_);
    if (modbus_connect(ctx_) == -1) throw std::runtime_error("cannot open " + server_path_);
  }
  thread_ = std::thread([this] { kind_ == Kind::tcp ? serve_tcp() : serve_rtu(); });
}

void ModbusTestServer::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  close_server();
}

void ModbusTestServer::close_server() {
  if (listener_ >= 0) ::close(listener_);
  listener_ = -1;
  if (ctx_ != nullptr) {
    if (kind_ == Kind::rtu) modbus_close(ctx_);
    modbus_free(ctx_);
  }
  ctx_ = nullptr;
}

// Copies bytes between the two pty masters: a null-modem cable in software.
void ModbusTestServer::relay() {
  char buf[512];
  while (!relay_stop_) {
    pollfd p[2] = {{pty_[0], POLLIN, 0}, {pty_[2], POLLIN, 0}};
    if (::poll(p, 2, 50) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if ((p[i].revents & POLLIN) == 0) continue;
      const auto n = ::read(p[i].fd, buf, sizeof buf);
      if (n <= 0) continue;
      // A stopped server drops what it is sent, as a silent device would.
      if (i == 1 && stop_) continue;
      if (::write(i == 0 ? pty_[2] : pty_[0], buf, static_cast<std::size_t>(n)) < 0) continue;
    }
  }
}

void ModbusTestServer::serve_tcp() {
  std::uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
  while (!stop_) {
    if (!readable(listener_, 20)) continue;
    const int client = modbus_tcp_accept(ctx_, &listener_);
    if (client < 0) continue;
    while (!stop_) {
      if (!readable(client, 20)) continue;
      const int rc = modbus_receive(ctx_, query);
      if (rc == -1) break;  // the client went away
      if (rc == 0) continue;
      std::lock_guard lock(mutex_);
      ++requests_;
      modbus_reply(ctx_, query, rc, map_);
    }
    ::close(client);
  }
}

void ModbusTestServer::serve_rtu() {
  std::uint8_t query[MODBUS_RTU_MAX_ADU_LENGTH];
  while (!stop_) {
    if (!readable(modbus_get_socket(ctx_), 20)) continue;
    const int rc = modbus_receive(ctx_, query);
    if (rc <= 0) continue;
    std::lock_guard lock(mutex_);
    ++requests_;
    modbus_reply(ctx_, query, rc, map_);
  }
}

void ModbusTestServer::set_holding(int a, std::uint16_t v) {
  std::lock_guard lock(mutex_);
  map_->tab_registers[a] = v;
}
std::uint16_t ModbusTestServer::holding(int a) {
  std::lock_guard lock(mutex_);
  return map_->tab_registers[a];
}
void ModbusTestServer::set_input(int a, std::uint16_t v) {
  std::lock_guard lock(mutex_);
  map_->tab_input_registers[a] = v;
}
void ModbusTestServer::set_coil(int a, bool v) {
  std::lock_guard lock(mutex_);
  map_->tab_bits[a] = v ? 1 : 0;
}
bool ModbusTestServer::coil(int a) {
  std::lock_guard lock(mutex_);
  return map_->tab_bits[a] != 0;
}
void ModbusTestServer::set_discrete(int a, bool v) {
  std::lock_guard lock(mutex_);
  map_->tab_input_bits[a] = v ? 1 : 0;
}

}  // namespace watt::driver::testing
