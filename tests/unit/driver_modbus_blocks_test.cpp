// Coalesced Modbus reads: how points are planned into blocks (adjacency, gaps,
// tables, the 125-register and 2000-bit limits), and a scrape against the real
// libmodbus loopback server reading every value right in one request a block.
#include "modbus_blocks.hpp"
#include "modbus_driver.hpp"
#include "testing/modbus_test_server.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace watt::driver;
using watt::driver::testing::ModbusTestServer;

namespace {

ModbusPoint point(RegisterType reg, int address, DataType data = DataType::int16) {
  ModbusPoint p;
  p.name = "p" + std::to_string(address);
  p.reg = reg;
  p.address = address;
  p.data = reg == RegisterType::coil || reg == RegisterType::discrete ? DataType::boolean : data;
  return p;
}

struct Span {
  RegisterType reg;
  int start, count;
  std::size_t points;
  bool operator==(const Span&) const = default;
};

std::vector<Span> spans(const std::vector<ModbusBlock>& blocks) {
  std::vector<Span> out;
  for (const auto& b : blocks) out.push_back({b.reg, b.start, b.count, b.points.size()});
  return out;
}

}  // namespace

TEST_CASE("modbus blocks: adjacent points of one table share a block, a gap or another table starts a new one") {
  using R = RegisterType;
  const std::vector<ModbusPoint> points = {point(R::holding, 3), point(R::holding, 0, DataType::float32),
                                           point(R::holding, 2), point(R::holding, 10),
                                           point(R::input, 4),   point(R::coil, 1),
                                           point(R::coil, 0),    point(R::coil, 3),
                                           point(R::discrete, 0)};
  CHECK(spans(plan_blocks(points)) == std::vector<Span>{{R::holding, 0, 4, 3},
                                                        {R::holding, 10, 1, 1},
                                                        {R::input, 4, 1, 1},
                                                        {R::coil, 0, 2, 2},
                                                        {R::coil, 3, 1, 1},
                                                        {R::discrete, 0, 1, 1}});
  // With max_gap 6, registers 4–9 are read and discarded to save a request.
  CHECK(spans(plan_blocks(points, 6)) ==
        std::vector<Span>{{R::holding, 0, 11, 4}, {R::input, 4, 1, 1}, {R::coil, 0, 4, 3}, {R::discrete, 0, 1, 1}});
  // Two points on the same register (say, two scalings) are read once.
  CHECK(spans(plan_blocks({point(R::holding, 5), point(R::holding, 5, DataType::uint32)})) ==
        std::vector<Span>{{R::holding, 5, 2, 2}});
}

TEST_CASE("modbus blocks: no block reads more than 125 registers or 2000 bits") {
  std::vector<ModbusPoint> regs;
  for (int a = 0; a < 130; ++a) regs.push_back(point(RegisterType::input, a));
  auto blocks = plan_blocks(regs);
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].count == 125);
  CHECK(blocks[1].start == 125);
  CHECK(blocks[1].count == 5);
  // A 32-bit value that would cross the limit starts the next block whole.
  regs.resize(124);
  regs.push_back(point(RegisterType::input, 124, DataType::float32));
  blocks = plan_blocks(regs);
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].count == 124);
  CHECK(blocks[1].start == 124);
  CHECK(blocks[1].count == 2);

  std::vector<ModbusPoint> coils;
  for (int a = 0; a < 2001; ++a) coils.push_back(point(RegisterType::coil, a));
  blocks = plan_blocks(coils);
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].count == 2000);
  CHECK(blocks[1].count == 1);
  CHECK(block_range(blocks[0]) == "coils 0–1999");
  CHECK(block_range(blocks[1]) == "coil 2000");
}

TEST_CASE("modbus blocks: a scrape reads each block in one request and decodes every point from it") {
  ModbusTestServer server;
  server.set_holding(0, 215);     // temperature, scale 0.1
  server.set_holding(1, 0x4148);  // 12.5 as float32, high word first …
  server.set_holding(2, 0x0000);  // … and low word
  server.set_holding(3, 0x3412);  // 0x1234, little-endian within the register
  server.set_holding(40, 7);      // far away: a block of its own
  server.set_input(0, static_cast<std::uint16_t>(-5));
  server.set_input(1, 600);
  server.set_coil(0, true);
  server.set_coil(2, true);
  server.start();
  const char* csv =
      "Point Name,Writable,Point Address,Register Type,Data Type,Scale,Byte Order\n"
      "temperature,TRUE,0,holding,int16,0.1,\n"
      "flow,TRUE,1,holding,float32,,\n"
      "count,TRUE,3,holding,uint16,,little\n"
      "mode,TRUE,40,holding,uint16,,\n"
      "offset,FALSE,0,input,int16,,\n"
      "power,FALSE,1,input,uint16,,\n"
      "pump,TRUE,0,coil,,,\n"
      "fan,TRUE,1,coil,,,\n"
      "valve,TRUE,2,coil,,,\n";
  const auto config = [&](int max_gap) {
    return YAML::Load("{host: 127.0.0.1, port: " + std::to_string(server.port()) +
                      ", response_timeout: 1, max_gap: " + std::to_string(max_gap) + "}");
  };
  ModbusDriver d;
  d.configure(config(0), parse_registry(csv, "plc.csv"));
  auto before = server.requests();
  auto all = d.scrape_all();
  REQUIRE_MESSAGE(all.ok(), all.error().what());
  CHECK(server.requests() - before == 4);  // holding 0–3, holding 40, input 0–1, coils 0–2: not 9
  CHECK(all->at("temperature") == doctest::Approx(21.5));
  CHECK(all->at("flow") == doctest::Approx(12.5));
  CHECK(all->at("count") == 0x1234);
  CHECK(all->at("mode") == 7);
  CHECK(all->at("offset") == -5);
  CHECK(all->at("power") == 600);
  CHECK(all->at("pump") == 1);
  CHECK(all->at("fan") == 0);
  CHECK(all->at("valve") == 1);
  // A single get_point still asks for its own registers only.
  before = server.requests();
  CHECK(*d.get_point("mode") == 7);
  CHECK(server.requests() - before == 1);

  // With a gap allowed, holding 4–39 are read and discarded: one request fewer.
  d.configure(config(40), parse_registry(csv, "plc.csv"));
  before = server.requests();
  all = d.scrape_all();
  REQUIRE(all.ok());
  CHECK(server.requests() - before == 3);
  CHECK(all->at("mode") == 7);
  CHECK(all->at("temperature") == doctest::Approx(21.5));

  // A block the device refuses (past its 1000 registers) fails the scrape and
  // is named by its registers.
  const std::string far = std::string(csv) + "beyond,FALSE,999,input,float32,,\n";
  d.configure(config(0), parse_registry(far, "plc.csv"));
  all = d.scrape_all();
  REQUIRE_FALSE(all.ok());
  CHECK(all.error().message.find("reading beyond (registers 999–1000)") != std::string::npos);
  d.configure(config(0), parse_registry(csv, "plc.csv"));
  CHECK(d.scrape_all().ok());
}
