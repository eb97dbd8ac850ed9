// Raw bytes to standard output on Windows: descriptor 1 switched to binary mode first (the C
// runtime opens it in text mode, which would turn every "\n" byte into "\r\n").
#include "shared/util/standard_output.hpp"

#include <fcntl.h>
#include <io.h>

#include <algorithm>

namespace triage {

bool write_standard_output(std::string_view bytes) {
  if (::_setmode(1, _O_BINARY) == -1) return false;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto chunk = static_cast<unsigned>(std::min<std::size_t>(bytes.size() - done, 1u << 30));
    const int n = ::_write(1, bytes.data() + done, chunk);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace triage
