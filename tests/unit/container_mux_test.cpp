// The container's mux: one delivery shared by every agent whose accepted
// subscription matches, and a grant the broker takes back (docs/security.md)
// stops reaching the agent it was taken from while its neighbour, who still
// subscribes, keeps getting it.
#include "container/hosted_port.hpp"
#include "container/mux.hpp"
#include "container/shared_connection.hpp"

#include <watt/proto/frame.hpp>
#include <watt/proto/header.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace watt::detail;
namespace proto = watt::proto;

namespace {

// A message as the broker sends it.
Incoming from_broker(proto::Kind kind, const std::string& address, const proto::Header& h,
                     const std::string& origin = "broker") {
  const std::string header = proto::encode_header(h);
  Incoming in;
  in.frame.rebuild(proto::message_size(address, origin, header, ""));
  proto::write_message(in.frame.data<char>(), kind, address, origin, header, "");
  REQUIRE(in.parse().empty());
  return in;
}

// What a port got: the addresses of its deliveries, one after another.
std::string deliveries(HostedPort& port) {
  std::string out;
  Incoming in;
  std::string error;
  while (port.try_receive(in, error))
    if (in.kind == proto::Kind::deliver) out += std::string(in.address_view()) + " ";
  return out;
}

// A port subscribed to `pattern`, as the broker accepted it.
void subscribed(Mux& mux, HostedPort& port, std::uint64_t id, const std::string& pattern) {
  mux.subscribing(port, id, pattern);
  proto::Header ack;
  ack.id = id;
  auto in = from_broker(proto::Kind::ack, port.identity(), ack);
  CHECK(mux.route(in));
}

void deliver(Mux& mux, const std::string& topic) {
  proto::Header h;
  auto in = from_broker(proto::Kind::deliver, topic, h, "publisher");
  CHECK(mux.route(in));
}

}  // namespace

TEST_CASE("container mux: a revoked subscription stops reaching its agent, not its neighbour") {
  Mux mux("container.box");
  SharedConnection connection("ipc:///nonexistent/watt.sock", "container.box", nullptr);  // never connects
  HostedPort a(mux, connection, [] {}, {});
  HostedPort b(mux, connection, [] {}, {});
  a.open("", "a", nullptr);
  b.open("", "b", nullptr);
  subscribed(mux, a, 1, "x/#");
  subscribed(mux, b, 1, "x/#");
  deliver(mux, "x/1");
  CHECK(deliveries(a) == "x/1 ");
  CHECK(deliveries(b) == "x/1 ");

  proto::Header revoked;
  revoked.code = "unauthorized";
  revoked.message = "access revoked: no longer subscribed to x/#";
  auto in = from_broker(proto::Kind::error, "a", revoked);
  CHECK(mux.route(in));
  deliver(mux, "x/2");
  CHECK(deliveries(a).empty());
  CHECK(deliveries(b) == "x/2 ");

  // Its whole grant taken back: nothing more for b either, a unsubscribed.
  revoked.message = "access revoked: its allow-list entry 'box' was removed";
  auto gone = from_broker(proto::Kind::error, "b", revoked);
  CHECK(mux.route(gone));
  deliver(mux, "x/3");
  CHECK(deliveries(b).empty());
}

TEST_CASE("container mux: a subscription the broker refused never counts, and one for an agent gone is dropped") {
  Mux mux("container.box");
  SharedConnection connection("ipc:///nonexistent/watt.sock", "container.box", nullptr);
  HostedPort a(mux, connection, [] {}, {});
  a.open("", "a", nullptr);
  mux.subscribing(a, 7, "secret/#");
  proto::Header refused;
  refused.id = 7;
  refused.code = "unauthorized";
  refused.message = "'a' may not subscribe to secret/#";
  auto in = from_broker(proto::Kind::error, "a", refused);
  CHECK(mux.route(in));
  deliver(mux, "secret/1");
  CHECK(deliveries(a).empty());

  proto::Header h;
  h.id = 3;
  auto stray = from_broker(proto::Kind::response, "nobody", h, "peer");
  CHECK(mux.route(stray));
  CHECK(mux.dropped() == 1);
}
