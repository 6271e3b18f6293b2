// The MQTT bridge over TLS against a mosquitto that asks for client
// certificates: certificates made here by openssl, a right and a wrong CA.
#include "mqtt_fixture.hpp"

using namespace watt::test;

namespace {

// A CA, a server certificate for 127.0.0.1 and a client certificate signed
// by it, and a second CA that signed neither.
struct Certificates {
  Certificates() : dir("watt-certs") {
    ca("ca");
    ca("other-ca");
    leaf("server", "ca", "subjectAltName=IP:127.0.0.1\n");
    leaf("client", "ca", "extendedKeyUsage=clientAuth\n");
  }
  std::string path(const std::string& name) const { return (dir.path() / name).string(); }

  void openssl(std::vector<std::string> args) const {
    args.insert(args.begin(), "/usr/bin/openssl");
    const auto r = run(args, dir.path());
    REQUIRE_MESSAGE(r.code == 0, r.err);
  }
  void ca(const std::string& name) const {
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             path(name + ".key"), "-out", path(name + ".pem"), "-days", "2", "-subj", "/CN=watt-test-" + name});
  }
  void leaf(const std::string& name, const std::string& by, const std::string& ext) const {
    std::ofstream(path(name + ".ext")) << ext;
    openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             path(name + ".key"), "-out", path(name + ".csr"), "-subj", "/CN=127.0.0.1"});
    openssl({"x509", "-req", "-in", path(name + ".csr"), "-CA", path(by + ".pem"), "-CAkey", path(by + ".key"),
             "-CAcreateserial", "-out", path(name + ".pem"), "-days", "2", "-extfile", path(name + ".ext")});
  }
  std::string broker_config() const {
    return "cafile " + path("ca.pem") + "\ncertfile " + path("server.pem") + "\nkeyfile " + path("server.key") +
           "\nrequire_certificate true\n";
  }
  std::string bridge_config(const Mosquitto& broker, const std::string& ca, bool with_cert) const {
    std::string tls = "    ca: " + path(ca + ".pem") + "\n";
    if (with_cert) tls += "    cert: " + path("client.pem") + "\n    key: " + path("client.key") + "\n";
    return "broker:\n  url: ssl://127.0.0.1:" + std::to_string(broker.port()) + "\n  tls:\n" + tls +
           "reconnect: {first_ms: 50, most_ms: 200}\nrules:\n  - {direction: out, bus: t}\n";
  }

  TempDir dir;
};

}  // namespace

TEST_CASE("mqtt tls: the right CA and a client certificate connect, a wrong CA or none is refused, saying why") {
  Certificates certs;
  Mosquitto broker(certs.broker_config());
  BridgePlatform p;

  REQUIRE(p.install(certs.bridge_config(broker, "ca", true), "right").code == 0);
  CHECK_MESSAGE(p.wait_connected("right"), p.cli.log("right"));

  REQUIRE(p.install(certs.bridge_config(broker, "other-ca", true), "wrong-ca").code == 0);
  REQUIRE(eventually([&] { return p.health("wrong-ca").find("BAD") != std::string::npos; }));
  CHECK_FALSE(p.connected("wrong-ca"));
  const auto status = p.status("wrong-ca");
  REQUIRE_MESSAGE(status.is_object(), p.cli.log("wrong-ca"));
  const auto why = status["last_error"].get<std::string>();
  CHECK_MESSAGE(why.find("certificate verify failed") != std::string::npos, why);

  REQUIRE(p.install(certs.bridge_config(broker, "ca", false), "no-cert").code == 0);
  REQUIRE(eventually([&] { return p.health("no-cert").find("BAD") != std::string::npos; }));
  CHECK_FALSE(p.connected("no-cert"));
  const auto no_cert = p.status("no-cert")["last_error"].get<std::string>();
  CHECK_MESSAGE(no_cert.find("certificate required") != std::string::npos, no_cert);
  // The one with the right papers stayed connected throughout.
  CHECK(p.connected("right"));
  CHECK(p.status("right")["connections"] == 1);
}
