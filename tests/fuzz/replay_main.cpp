// A fuzz target without libFuzzer: runs every file named (or every file in
// every folder named) through it once. The ordinary and sanitizer builds use
// it to replay the seed corpora as a test; the fuzz build links libFuzzer.
#include "fuzz.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

namespace {

void replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t inputs = 0;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::filesystem::path arg(argv[i]);
      if (std::filesystem::is_directory(arg)) {
        for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
          if (!entry.is_regular_file()) continue;
          replay(entry.path());
          ++inputs;
        }
      } else {
        replay(arg);
        ++inputs;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 2;
  }
  if (inputs == 0) {
    std::cerr << argv[0] << ": no input (name files or folders of the corpus)\n";
    return 2;
  }
  std::cout << argv[0] << ": " << inputs << " inputs replayed\n";
  return 0;
}
