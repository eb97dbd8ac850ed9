#pragma once
// Helpers the fuzz targets share: the libFuzzer entry point's declaration and a reader that
// splits one input into the parts a target needs (a selector byte, length-prefixed pieces).

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace triage::fuzz {

/// Consumes an input from the front.
class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  /// The next byte, 0 when none is left.
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  /// A piece preceded by its 4-byte big-endian length (cut short at the end of the input).
  std::string_view piece() {
    std::size_t n = 0;
    for (int i = 0; i < 4; ++i) n = (n << 8) | byte();
    auto out = rest_.substr(0, n);
    rest_.remove_prefix(out.size());
    return out;
  }

  /// Everything not consumed yet.
  std::string_view rest() {
    auto out = rest_;
    rest_ = {};
    return out;
  }

 private:
  std::string_view rest_;
};

}  // namespace triage::fuzz
