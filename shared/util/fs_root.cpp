// FsRoot's platform-neutral half: the root, lexical path resolution and the small parsers.
// Reading files is per platform (posix/fs_root_io.cpp, windows/fs_root_io.cpp).
#include "shared/util/fs_root.hpp"

#include <charconv>

namespace triage {

std::string relative_inside_root(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

std::string join_path(std::string_view dir, std::string_view name) {
  std::string out(dir);
  while (!out.empty() && out.back() == '/') out.pop_back();
  out += '/';
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  out += name;
  return out;
}

FsRoot::FsRoot(std::filesystem::path root) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(root, ec);
  root_ = ec ? root.lexically_normal() : abs.lexically_normal();
  auto text = root_.string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  root_ = text;
  // "/" is the live machine on every platform (on Windows it resolves to the current drive).
  live_ = text == "/" || root == std::filesystem::path("/");
}

std::filesystem::path FsRoot::resolve(std::string_view path) const {
  std::string rel = relative_inside_root(path);
  if (rel.empty()) return root_;
  return root_ / rel;
}

std::optional<std::string> FsRoot::read_attr(std::string_view path, std::size_t max_bytes) const {
  auto text = read_prefix(path, max_bytes);
  if (!text) return std::nullopt;
  std::string& s = *text;
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return std::string();
  std::size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::optional<std::uint64_t> FsRoot::read_uint(std::string_view path) const {
  auto text = read_attr(path, 64);
  if (!text || text->empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size()) return std::nullopt;
  return v;
}

}  // namespace triage
