// Planning coalesced Modbus reads (see modbus_blocks.hpp).
#include "modbus_blocks.hpp"

#include <algorithm>
#include <numeric>
#include <string>

namespace watt::driver {

std::vector<ModbusBlock> plan_blocks(const std::vector<ModbusPoint>& points, int max_gap) {
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& pa = points[a];
    const auto& pb = points[b];
    return pa.reg != pb.reg ? pa.reg < pb.reg : pa.address < pb.address;
  });
  std::vector<ModbusBlock> blocks;
  for (const auto i : order) {
    const auto& p = points[i];
    const int width = p.bit() ? 1 : p.count();
    auto* last = blocks.empty() ? nullptr : &blocks.back();
    const bool joins = last != nullptr && last->reg == p.reg && p.address <= last->start + last->count + max_gap &&
                       std::max(last->start + last->count, p.address + width) - last->start <= max_block(p.reg);
    if (!joins) {
      blocks.push_back(ModbusBlock{p.reg, p.address, width, {i}});
      continue;
    }
    last->count = std::max(last->start + last->count, p.address + width) - last->start;
    last->points.push_back(i);
  }
  return blocks;
}

std::string block_range(const ModbusBlock& b) {
  const bool bits = b.reg == RegisterType::coil || b.reg == RegisterType::discrete;
  std::string out = bits ? (b.reg == RegisterType::coil ? "coil" : "discrete input") : "register";
  if (b.count == 1) return out + " " + std::to_string(b.start);
  return out + "s " + std::to_string(b.start) + "–" + std::to_string(b.start + b.count - 1);
}

}  // namespace watt::driver
