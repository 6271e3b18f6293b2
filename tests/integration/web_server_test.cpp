// The web view's server under attack and misuse (docs/web.md, Security):
// wrong passwords, missing sessions, forged requests, other origins, bad
// WebSocket frames, a viewer reaching for an operator's action.
#include "web_fixture.hpp"

#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

using nlohmann::json;
using watt::test::WebPlatform;

TEST_CASE("web: a wrong password is refused, and past the limit of failures the name must wait") {
  WebPlatform w("login_failures: 3\nlogin_lockout_s: 1\n");
  const auto http = w.http();
  const auto attempt = [&](const std::string& user, const std::string& password) {
    return http.request("POST", "/api/login", json{{"user", user}, {"password", password}}.dump(),
                        {{"Content-Type", "application/json"}});
  };
  CHECK(attempt("ann", "wrong").status == 401);
  CHECK(attempt("nobody-at-all", "wrong").status == 401);  // the same answer: who exists is not told
  CHECK(attempt("ann", "wrong").status == 401);
  CHECK(attempt("ann", "wrong").status == 401);
  const auto locked = attempt("ann", "admin-password");
  CHECK(locked.status == 429);
  CHECK(locked.headers.count("retry-after") == 1);
  CHECK(
      watt::test::eventually([&] { return attempt("ann", "admin-password").status == 200; }, std::chrono::seconds(10)));
  CHECK(attempt("ann", "").status == 401);
  CHECK(http.request("POST", "/api/login", "{not json", {{"Content-Type", "application/json"}}).status == 400);
  // No password, hash or session token ever reaches the log.
  const auto log = w.cli.log("web");
  CHECK(log.find("failed web login as 'ann'") != std::string::npos);
  CHECK(log.find("admin-password") == std::string::npos);
  CHECK(log.find("argon2") == std::string::npos);
}

TEST_CASE("web: no session, no API, a change needs its CSRF token, and another site's request is refused") {
  WebPlatform w;
  const auto http = w.http();
  CHECK(http.request("GET", "/api/agents").status == 401);
  CHECK(http.request("GET", "/api/agents", {}, {{"Cookie", "watt_session=0123456789abcdef"}}).status == 401);
  const auto ann = http.login("ann", "admin-password");
  const auto agents = http.as(ann, "GET", "/api/agents");
  REQUIRE(agents.status == 200);
  CHECK(json::parse(agents.body).at(0).at("identity") == "web");
  CHECK(agents.headers.at("content-security-policy").find("default-src 'self'") != std::string::npos);
  // A change without the token, or with another session's, is refused.
  CHECK(http.request("POST", "/api/agents/web/restart", {}, {{"Cookie", ann.cookie}}).status == 403);
  const auto otto = http.login("otto", "operator-password");
  CHECK(http.request("POST", "/api/agents/web/restart", {}, {{"Cookie", ann.cookie}, {"X-CSRF-Token", otto.csrf}})
            .status == 403);
  // Another origin is refused even with the cookie and the token.
  CHECK(http.request("PUT", "/api/configs/web/extra", "a: 1",
                     {{"Cookie", ann.cookie}, {"X-CSRF-Token", ann.csrf}, {"Origin", "http://evil.example"}})
            .status == 403);
  CHECK(http.request("PUT", "/api/configs/web/extra", "a: 1",
                     {{"Cookie", ann.cookie}, {"X-CSRF-Token", ann.csrf}, {"Origin", w.origin()}})
            .status == 200);
  // After logout the cookie is worth nothing; the session cookie is HttpOnly and SameSite.
  CHECK(http.as(ann, "POST", "/api/logout").status == 200);
  CHECK(http.as(ann, "GET", "/api/agents").status == 401);
  const auto login = http.request("POST", "/api/login", R"({"user":"vic","password":"viewer-password"})",
                                  {{"Content-Type", "application/json"}});
  CHECK(login.headers.at("set-cookie").find("HttpOnly; SameSite=Strict") != std::string::npos);
  CHECK(login.body.find("viewer-password") == std::string::npos);
}

TEST_CASE("web: the WebSocket upgrade checks the origin and the session") {
  WebPlatform w;
  const auto ann = w.http().login("ann", "admin-password");
  CHECK(watt::test::ws_refusal(w.port, {{"Origin", w.origin()}}) == 401);
  CHECK(watt::test::ws_refusal(w.port, {{"Cookie", ann.cookie}, {"Origin", "http://evil.example"}}) == 403);
  CHECK(watt::test::ws_refusal(w.port, {{"Cookie", ann.cookie}, {"Origin", w.origin()}}) == 0);
  // A session that ends closes its WebSocket.
  watt::test::WsClient ws(w.port, {{"Cookie", ann.cookie}, {"Origin", w.origin()}});
  CHECK(ws.read_until("\"hello\"").has_value());
  CHECK(w.http().as(ann, "POST", "/api/logout").status == 200);
  CHECK_FALSE(ws.read_until("never", std::chrono::seconds(10)).has_value());
}

TEST_CASE("web: malformed and oversize WebSocket messages are answered or closed, and others carry on") {
  WebPlatform w("max_ws_message_kib: 4\n");
  const auto ann = w.http().login("ann", "admin-password");
  const std::map<std::string, std::string> headers{{"Cookie", ann.cookie}, {"Origin", w.origin()}};
  watt::test::WsClient ws(w.port, headers);
  const auto answer = [&](const std::string& text) {
    ws.send(text);
    return ws.read_until("\"error\"").value_or("");
  };
  CHECK(answer("not json").find("not JSON") != std::string::npos);
  CHECK(answer("[1,2]").find(R"(expected {\"op\": …})") != std::string::npos);
  CHECK(answer(R"({"op":"dance"})").find("unknown op 'dance'") != std::string::npos);
  CHECK(answer(R"({"op":"subscribe"})").find("bad message") != std::string::npos);
  CHECK(answer(R"({"op":"subscribe","pattern":"a/#/b"})").find("bad pattern 'a/#/b'") != std::string::npos);
  CHECK(answer(R"({"op":"subscribe","pattern":"a","rate":0})").find("bad rate") != std::string::npos);
  CHECK(answer(R"({"op":"follow_log","id":"../../etc"})").find("follow_log") != std::string::npos);
  ws.send_binary(std::string("\x00\x01\x02", 3));
  CHECK(ws.read_until("binary frames are not understood").has_value());
  // Over the size limit: closed with 1009, and nobody else notices.
  watt::test::WsClient big(w.port, headers);
  CHECK(big.read_until("\"hello\"").has_value());
  big.send(R"({"op":"ping","pad":")" + std::string(8000, 'x') + "\"}");
  CHECK_FALSE(big.read(std::chrono::seconds(10)).has_value());
  CHECK(big.close_code() == 1009);
  ws.send(R"({"op":"ping"})");
  CHECK(ws.read_until("pong").has_value());
}

TEST_CASE("web: a viewer cannot do an operator's action, nor an operator an admin's") {
  WebPlatform w;
  const auto http = w.http();
  const auto vic = http.login("vic", "viewer-password");
  const auto otto = http.login("otto", "operator-password");
  const auto ann = http.login("ann", "admin-password");
  CHECK(http.as(vic, "GET", "/api/agents").status == 200);
  CHECK(http.as(vic, "GET", "/api/health").status == 200);
  const auto stop = http.as(vic, "POST", "/api/agents/web/stop");
  CHECK(stop.status == 403);
  CHECK(stop.body.find("'vic' is viewer: this needs operator") != std::string::npos);
  CHECK(http.as(vic, "PUT", "/api/configs/web/config", "port: 0").status == 403);
  CHECK(http.as(vic, "GET", "/api/configs/web").status == 403);
  CHECK(http.as(vic, "POST", "/api/rpc", R"({"peer":"web","method":"x"})").status == 403);
  CHECK(http.as(otto, "POST", "/api/rpc", R"({"peer":"platform","method":"list"})").status == 403);
  CHECK(http.as(otto, "GET", "/api/configs/web").status == 200);
  const auto listed = http.as(ann, "POST", "/api/rpc", R"({"peer":"platform","method":"list"})");
  CHECK(listed.status == 200);
  CHECK(listed.body.find("\"identity\":\"web\"") != std::string::npos);
  CHECK(w.cli.watt({"list"}).out.find("running") != std::string::npos);
}

TEST_CASE("web: removing a user or changing a password ends their sessions at once") {
  WebPlatform w;
  const auto http = w.http();
  const auto vic = http.login("vic", "viewer-password");
  const auto otto = http.login("otto", "operator-password");
  auto users = watt::web::Users::load(watt::web::users_file(w.cli.home().path()));
  users.remove("vic");
  users.set_password("otto", "a-new-password");
  users.save(watt::web::users_file(w.cli.home().path()));
  CHECK(http.as(vic, "GET", "/api/agents").status == 401);
  CHECK(http.as(otto, "GET", "/api/agents").status == 401);
  CHECK(http.login("otto", "a-new-password").cookie.size() > 20);
}

TEST_CASE("web: bytes that are not UTF-8, another host's name, and a restart leave the server serving") {
  WebPlatform w;
  const auto http = w.http();
  const auto ann = http.login("ann", "admin-password");
  CHECK(http.as(ann, "GET", "/api/agents/%FF").status == 400);
  CHECK(http.as(ann, "GET", "/api/logs/%FF").status == 400);
  CHECK(http.as(ann, "GET", "/api/history?historian=%FF&topic=x").status == 400);
  CHECK(http.as(ann, "GET", "/api/history?historian=broker&topic=x").status == 400);
  const auto history = http.as(ann, "GET", "/api/history?topic=%FF%FE");  // no historian: an error, as JSON
  CHECK(history.status >= 400);
  CHECK(json::accept(history.body));
  const auto sse = http.request("GET", "/api/events?pattern=%FF", {}, {{"Cookie", ann.cookie}});
  CHECK(sse.status == 400);
  // A page of another site whose name resolves here (DNS rebinding) is refused.
  CHECK(http.request("GET", "/api/me", {}, {{"Cookie", ann.cookie}, {"Host", "evil.example:80"}}).status == 421);
  CHECK(http.request("GET", "/", {}, {{"Host", "evil.example"}}).status == 421);
  CHECK(http.as(ann, "GET", "/api/me").status == 200);
  // A new configuration restarts the server on its new port.
  const auto config = w.cli.home().path() / "web2.yml";
  std::ofstream(config) << "port: 0\nsession_idle_h: 1\n";
  REQUIRE(w.cli.watt({"config", "set", "web", "config", config.string()}).code == 0);
  const auto url = watt::test::read_file(w.cli.home().path() / "run" / "web.endpoint");
  const auto port = static_cast<unsigned short>(std::stoi(url.substr(url.rfind(':') + 1)));
  CHECK(watt::test::WebClient(port).login("vic", "viewer-password").cookie.size() > 20);
  CHECK(w.cli.watt({"status", "web"}).out.find("running") != std::string::npos);
}

TEST_CASE("web: Server-Sent Events carry the same stream, for scripts") {
  WebPlatform w;
  const auto ann = w.http().login("ann", "admin-password");
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s(io);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), w.port});
  const std::string request =
      "GET /api/events?pattern=devices%2F%23&rate=50 HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + ann.cookie + "\r\n\r\n";
  boost::asio::write(s, boost::asio::buffer(request));
  std::string got;
  const auto read_until = [&](const std::string& needle) {
    char buf[4096];
    while (got.find(needle) == std::string::npos) {
      const auto n = s.read_some(boost::asio::buffer(buf));
      got.append(buf, n);
    }
  };
  read_until(R"(data: {"type":"subscribed","pattern":"devices/#"})");
  CHECK(got.rfind("HTTP/1.1 200 OK", 0) == 0);
  CHECK(got.find("Content-Type: text/event-stream") != std::string::npos);
  REQUIRE(w.cli.watt({"publish", "devices/lab/sse", R"({"v": 7})"}).code == 0);
  read_until(R"("topic":"devices/lab/sse")");
  CHECK(got.find(R"("body":{"v":7})") != std::string::npos);
}
