#include <watt/mqtt/tls_probe.hpp>

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>

namespace watt::mqtt {
namespace {

struct HostPort {
  std::string host, port;
};

HostPort split_url(const std::string& url) {
  auto rest = url.substr(url.find("://") + 3);
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) return {rest, "8883"};
  return {rest.substr(0, colon), rest.substr(colon + 1)};
}

int dial(const HostPort& hp, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(hp.host.c_str(), hp.port.c_str(), &hints, &found) != 0 || found == nullptr) return -1;
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(found, ::freeaddrinfo);
  const int fd = ::socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd < 0) return -1;
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string openssl_error() {
  const auto code = ERR_get_error();
  if (code == 0) return {};
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

// What the files say before any handshake: a file that does not load.
std::string load(SSL_CTX* ctx, const Tls& tls) {
  if (!tls.ca.empty() && SSL_CTX_load_verify_locations(ctx, tls.ca.c_str(), nullptr) != 1)
    return "broker.tls.ca " + tls.ca + " does not load: " + openssl_error();
  if (tls.ca.empty()) SSL_CTX_set_default_verify_paths(ctx);
  if (!tls.cert.empty() && SSL_CTX_use_certificate_chain_file(ctx, tls.cert.c_str()) != 1)
    return "broker.tls.cert " + tls.cert + " does not load: " + openssl_error();
  if (!tls.key_password.empty())
    SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<char*>(tls.key_password.c_str()));
  if (!tls.key.empty() && SSL_CTX_use_PrivateKey_file(ctx, tls.key.c_str(), SSL_FILETYPE_PEM) != 1)
    return "broker.tls.key " + tls.key + " does not load: " + openssl_error();
  SSL_CTX_set_verify(ctx, tls.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  return {};
}

}  // namespace

std::string tls_diagnosis(const std::string& url, const Tls& tls, std::chrono::milliseconds timeout) {
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  if (!ctx) return "TLS: " + openssl_error();
  if (auto err = load(ctx.get(), tls); !err.empty()) return err;
  const auto hp = split_url(url);
  const int fd = dial(hp, timeout);
  if (fd < 0) return {};  // not TLS's doing: the connect's own failure says it
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  // SSL_set_tlsext_host_name, without the macro's C cast.
  SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(hp.host.c_str()));
  // The broker's certificate must name the host of the URL, as Paho checks it.
  if (tls.verify && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), hp.host.c_str()) != 1)
    SSL_set1_host(ssl.get(), hp.host.c_str());
  std::string why;
  if (SSL_connect(ssl.get()) != 1) {
    const auto verify = SSL_get_verify_result(ssl.get());
    why = openssl_error();
    if (verify != X509_V_OK) why += (why.empty() ? "" : ": ") + std::string(X509_verify_cert_error_string(verify));
    if (why.empty()) why = "the broker closed the TLS handshake";
  } else {
    // A client certificate the broker refuses shows only once it reads; a
    // broker that took it waits for MQTT's CONNECT, so the wait is short.
    timeval tv{0, 300000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char byte = 0;
    if (SSL_read(ssl.get(), &byte, 1) <= 0) {
      const auto err = openssl_error();
      if (!err.empty()) why = err;
    }
  }
  SSL_shutdown(ssl.get());
  ::close(fd);
  ERR_clear_error();  // this thread is Paho's: leave it no errors of ours
  return why;
}

}  // namespace watt::mqtt
