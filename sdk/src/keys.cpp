// Key pairs: zmq_curve_keypair, and files readable only by their owner.
#include <watt/error.hpp>
#include <watt/keys.hpp>

#include <zmq.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace watt {

KeyPair make_key_pair() {
  char pub[41] = {}, sec[41] = {};
  if (zmq_curve_keypair(pub, sec) != 0) throw Error("this libzmq cannot make CURVE keys (built without libsodium?)");
  return {pub, sec};
}

KeyPair read_key_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error("cannot read key file " + file.string());
  KeyPair k;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("public: ", 0) == 0) k.public_key = line.substr(8);
    if (line.rfind("secret: ", 0) == 0) k.secret_key = line.substr(8);
  }
  if (k.public_key.size() != 40 || k.secret_key.size() != 40)
    throw Error("key file " + file.string() + " must hold 'public: <40 characters>' and 'secret: <40 characters>'");
  return k;
}

void write_key_file(const std::filesystem::path& file, const KeyPair& keys) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw Error("cannot create key file " + file.string() + " (does it exist already?)");
  const std::string text = "public: " + keys.public_key + "\nsecret: " + keys.secret_key + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw Error("cannot write key file " + file.string());
}

}  // namespace watt
