// Clients of the web view for tests and benchmarks: plain HTTP requests and
// WebSockets, synchronous, over loopback, with Boost.Beast.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace watt::test {

struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct WebLogin {
  std::string cookie;  // "watt_session=…", for a Cookie header
  std::string csrf;
};

class WebClient {
public:
  explicit WebClient(unsigned short port) : port_(port) {}
  HttpReply request(const std::string& method, const std::string& target, const std::string& body = {},
                    const std::map<std::string, std::string>& headers = {}) const;
  // Logs in; throws when refused.
  WebLogin login(const std::string& user, const std::string& password) const;
  // A request as the logged-in user: the cookie, and the CSRF token on changes.
  HttpReply as(const WebLogin& who, const std::string& method, const std::string& target,
               const std::string& body = {}) const;
  unsigned short port() const { return port_; }

private:
  unsigned short port_;
};

class WsClient {
public:
  // Upgrades at /ws with the given headers (Cookie, Origin). `receive_buffer`
  // > 0 shrinks the socket's buffer, for a client that will not read.
  WsClient(unsigned short port, const std::map<std::string, std::string>& headers, int receive_buffer = 0);
  void send(const std::string& text);
  void send_binary(const std::string& bytes);
  // The next message, or none when `timeout` passes or the connection ends.
  std::optional<std::string> read(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Reads until a message holds `needle`; returns it, or none.
  std::optional<std::string> read_until(const std::string& needle,
                                        std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  // Why the server closed the connection (1009: too big), once it has.
  int close_code() const { return static_cast<int>(ws_.reason().code); }

private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
};

// Whether the upgrade is refused, and with which HTTP status (0: accepted).
int ws_refusal(unsigned short port, const std::map<std::string, std::string>& headers);

}  // namespace watt::test
