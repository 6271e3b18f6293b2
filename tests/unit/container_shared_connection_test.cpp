// The container's shared connection: a sender that finds the queue to the
// broker full waits without holding the socket, so the reader (and the
// container's other agents) go on meanwhile, and nothing it sends is lost.
#include "container/shared_connection.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <thread>

using watt::detail::Incoming;
using watt::detail::SharedConnection;
using namespace std::chrono_literals;
using watt::test::eventually;

TEST_CASE("container shared connection: a sender held back by a full queue does not hold up the reader") {
  watt::test::TempDir dir("watt-shared");
  const std::string address = "ipc://" + dir.str() + "/broker.sock";
  zmq::context_t context;
  zmq::socket_t broker(context, zmq::socket_type::router);  // reads nothing until told
  broker.bind(address);
  SharedConnection connection(address, "container.box", nullptr);

  constexpr long total = 30'000;  // far more than the queues on the way hold
  std::atomic<long> sent{0};
  std::thread sender([&] {
    for (long i = 0; i < total; ++i) {
      connection.send("a", watt::proto::Kind::publish, "x/1", "", "0123456789");
      ++sent;
    }
  });
  REQUIRE(eventually([&] { return sent.load() >= 10'000; }));
  // The sender is held back now, or soon: the reader still reads, again and again.
  std::atomic<int> reads{0};
  std::thread reader([&] {
    Incoming in;
    std::string error;
    for (int i = 0; i < 500; ++i) {
      (void)connection.try_receive(in, error);
      ++reads;
      std::this_thread::sleep_for(100us);
    }
  });
  CHECK(eventually([&] { return reads.load() == 500; }));
  CHECK(sent.load() < total);  // it was held back all along
  reader.join();
  // The broker reads again: every message arrives.
  long got = 0;
  broker.set(zmq::sockopt::rcvtimeo, 10000);
  while (got < total) {
    zmq::message_t id, frame;
    if (!broker.recv(id) || !broker.recv(frame)) break;
    ++got;
  }
  sender.join();
  CHECK(got == total);
}
