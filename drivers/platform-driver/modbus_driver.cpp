// The Modbus driver over libmodbus (see modbus_driver.hpp).
#include "modbus_driver.hpp"

#include "config_error.hpp"

#include <watt/yaml_keys.hpp>

#include <modbus.h>

#include <cerrno>
#include <cmath>
#include <optional>
#include <set>

namespace watt::driver {

ModbusLink parse_modbus_link(const YAML::Node& c) {
  const std::string w = "driver_config";
  if (!c || !c.IsMap()) throw ConfigError(w + ": a Modbus device needs host (TCP) or device (RTU)");
  static const std::set<std::string> known = {
      "host", "port", "device", "baud", "parity", "data_bits", "stop_bits", "slave_id", "response_timeout", "max_gap"};
  if (auto err = yaml::key_error(c, known); !err.empty()) throw ConfigError(w + ": " + err);
  ModbusLink l;
  const auto integer = [&](const char* key, int lo, int hi, int& out) {
    if (!c[key]) return;
    try {
      out = c[key].as<int>();
    } catch (const YAML::Exception&) {
      throw ConfigError(w + ": '" + key + "' must be a whole number");
    }
    if (out < lo || out > hi)
      throw ConfigError(w + ": '" + key + "' must be from " + std::to_string(lo) + " to " + std::to_string(hi));
  };
  if (c["host"]) l.host = c["host"].as<std::string>();
  if (c["device"]) l.device = c["device"].as<std::string>();
  if (l.host.empty() == l.device.empty()) throw ConfigError(w + ": give either host (TCP) or device (RTU), not both");
  integer("port", 1, 65535, l.port);
  integer("baud", 50, 4'000'000, l.baud);
  integer("data_bits", 5, 8, l.data_bits);
  integer("stop_bits", 1, 2, l.stop_bits);
  integer("slave_id", 0, 247, l.slave_id);
  integer("max_gap", 0, max_block_registers, l.max_gap);
  if (c["parity"]) {
    const auto p = c["parity"].as<std::string>();
    if (p != "N" && p != "E" && p != "O") throw ConfigError(w + ": 'parity' must be N, E or O");
    l.parity = p[0];
  }
  if (c["response_timeout"]) {
    try {
      l.response_timeout_s = c["response_timeout"].as<double>();
    } catch (const YAML::Exception&) {
      l.response_timeout_s = -1;
    }
    if (!(l.response_timeout_s > 0) || l.response_timeout_s > 60)
      throw ConfigError(w + ": 'response_timeout' must be seconds above 0, at most 60");
  }
  return l;
}

ModbusDriver::~ModbusDriver() { disconnect(); }

void ModbusDriver::configure(const YAML::Node& driver_config, const Registry& registry) {
  auto link = parse_modbus_link(driver_config);
  std::vector<ModbusPoint> points;
  for (const auto& p : registry.points) points.push_back(parse_modbus_point(p, registry.file));
  disconnect();
  link_ = std::move(link);
  points_ = std::move(points);
  blocks_ = plan_blocks(points_, link_.max_gap);
}

std::string ModbusDriver::where() const {
  return link_.device.empty() ? "modbus tcp " + link_.host + ":" + std::to_string(link_.port)
                              : "modbus rtu " + link_.device;
}

bool ModbusDriver::connect(std::string& error) {
  if (ctx_ != nullptr) return true;
  ctx_ = link_.device.empty()
             ? modbus_new_tcp_pi(link_.host.c_str(), std::to_string(link_.port).c_str())  // names resolve too
             : modbus_new_rtu(link_.device.c_str(), link_.baud, link_.parity, link_.data_bits, link_.stop_bits);
  if (ctx_ == nullptr) {
    error = std::string("cannot create the context: ") + modbus_strerror(errno);
    return false;
  }
  const double whole = std::floor(link_.response_timeout_s);
  modbus_set_response_timeout(ctx_, static_cast<std::uint32_t>(whole),
                              static_cast<std::uint32_t>((link_.response_timeout_s - whole) * 1e6));
  modbus_set_slave(ctx_, link_.slave_id);
  if (modbus_connect(ctx_) == -1) {
    error = std::string("cannot connect: ") + modbus_strerror(errno);
    disconnect();
    return false;
  }
  return true;
}

void ModbusDriver::disconnect() {
  if (ctx_ == nullptr) return;
  modbus_close(ctx_);
  modbus_free(ctx_);
  ctx_ = nullptr;
}

// After a failed exchange the link may hold half an answer: start afresh.
RpcError ModbusDriver::failure(const std::string& what) {
  disconnect();
  return RpcError{ErrorCode::timeout, where() + ": " + what};
}

std::optional<RpcError> ModbusDriver::read_block(const ModbusBlock& b, Readings& out) {
  std::string error;
  if (!connect(error)) return failure(error);
  const auto n = static_cast<std::size_t>(b.count);
  std::vector<std::uint16_t> regs(b.reg == RegisterType::coil || b.reg == RegisterType::discrete ? 0 : n);
  std::vector<std::uint8_t> bits(regs.empty() ? n : 0);
  int rc = -1;
  switch (b.reg) {
    case RegisterType::holding: rc = modbus_read_registers(ctx_, b.start, b.count, regs.data()); break;
    case RegisterType::input: rc = modbus_read_input_registers(ctx_, b.start, b.count, regs.data()); break;
    case RegisterType::coil: rc = modbus_read_bits(ctx_, b.start, b.count, bits.data()); break;
    case RegisterType::discrete: rc = modbus_read_input_bits(ctx_, b.start, b.count, bits.data()); break;
  }
  if (rc == -1) {
    const auto& first = points_[b.points.front()].name;
    const auto more = b.points.size() - 1;
    return failure("reading " + first + (more > 0 ? " and " + std::to_string(more) + " more" : std::string()) + " (" +
                   block_range(b) + "): " + modbus_strerror(errno));
  }
  for (const auto i : b.points) {
    const auto& p = points_[i];
    const auto at = static_cast<std::size_t>(p.address - b.start);
    const std::uint16_t bit = bits.empty() ? 0 : bits[at];
    out.insert_or_assign(p.name, decode_registers(p, p.bit() ? &bit : regs.data() + at));
  }
  return std::nullopt;
}

// One point alone: get_point reads nothing it was not asked for.
Result<double> ModbusDriver::read(const ModbusPoint& p) {
  const ModbusBlock alone{p.reg, p.address, p.bit() ? 1 : p.count(), {static_cast<std::size_t>(&p - points_.data())}};
  Readings out;
  if (auto error = read_block(alone, out)) return *error;
  return out.at(p.name);
}

Result<double> ModbusDriver::write(const ModbusPoint& p, double value) {
  auto regs = encode_registers(p, value);
  if (!regs) return regs.error();
  std::string error;
  if (!connect(error)) return failure(error);
  int rc = -1;
  if (p.bit())
    rc = modbus_write_bit(ctx_, p.address, (*regs)[0] != 0 ? 1 : 0);
  else if (regs->size() == 1)
    rc = modbus_write_register(ctx_, p.address, (*regs)[0]);
  else
    rc = modbus_write_registers(ctx_, p.address, static_cast<int>(regs->size()), regs->data());
  if (rc == -1)
    return failure("writing " + p.name + " (register " + std::to_string(p.address) + "): " + modbus_strerror(errno));
  return decode_registers(p, regs->data());
}

const ModbusPoint* ModbusDriver::find(const std::string& name) const {
  for (const auto& p : points_)
    if (p.name == name) return &p;
  return nullptr;
}

// One request per block; a block that fails fails the scrape (the device is
// then retried as a whole), its error naming the block's registers.
Result<Readings> ModbusDriver::scrape_all() {
  Readings out;
  for (const auto& b : blocks_)
    if (auto error = read_block(b, out)) return *error;
  return out;
}

Result<double> ModbusDriver::get_point(const std::string& point) {
  const auto* p = find(point);
  if (p == nullptr) return RpcError{ErrorCode::bad_args, "no point '" + point + "'"};
  return read(*p);
}

Result<double> ModbusDriver::set_point(const std::string& point, double value) {
  const auto* p = find(point);
  if (p == nullptr) return RpcError{ErrorCode::bad_args, "no point '" + point + "'"};
  return write(*p, value);
}

Result<double> ModbusDriver::revert_point(const std::string& point) {
  const auto* p = find(point);
  if (p == nullptr) return RpcError{ErrorCode::bad_args, "no point '" + point + "'"};
  if (!p->default_value) return RpcError{ErrorCode::bad_args, point + ": no Starting Value to revert to"};
  return write(*p, *p->default_value);
}

Result<bool> ModbusDriver::revert_device() {
  for (const auto& p : points_) {
    if (!p.writable || !p.default_value) continue;
    auto r = write(p, *p.default_value);
    if (!r) return r.error();
  }
  return true;
}

}  // namespace watt::driver
