// A real PostgreSQL server for integration tests: initdb'd into a temporary
// directory, listening on a free loopback port, stopped and removed with its
// data when the test ends, pass or fail. The server is a child process that
// is killed if the test binary dies (crash, ctest timeout); as with Process,
// that is tied to the thread that started it, so start it on the test's own.
#pragma once

#include "process.hpp"
#include "temp_dir.hpp"

#include <memory>
#include <string>

namespace watt::test {

class PostgresServer {
public:
  // Creates the cluster and the database `database`, owned by the user
  // "watt" (password authentication over TCP), and starts the server.
  // Throws std::runtime_error, with the tool's output, when any step fails.
  explicit PostgresServer(std::string database = "watt");
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A libpq connection string: host=127.0.0.1 port=… dbname=… user=watt password=….
  std::string connection() const;
  const std::string& password() const { return password_; }
  int port() const { return port_; }
  bool running();

  // Fast shutdown (clients are disconnected at once); the data stays. Waits
  // until the server has exited. A no-op when it is not running.
  void stop();
  // Starts it again on the same port with the same data; returns once it
  // accepts connections. A no-op when it is running.
  void start();

  // The server's log (stderr), for failure messages.
  std::string log() const;

private:
  // Starts the postmaster; false when it exited before accepting
  // connections (the port was taken meanwhile, say).
  bool launch();

  TempDir dir_;  // declared first: removed only after the server has stopped
  std::string database_;
  std::string password_;
  int port_ = 0;
  std::unique_ptr<Process> server_;
  std::string last_log_;  // the log of the previous run, kept across restarts
};

}  // namespace watt::test
