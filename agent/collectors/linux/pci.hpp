#pragma once
// PCI devices and GPUs, named from pci.ids. Linux.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/collectors/collect_context.hpp"
#include "shared/util/result.hpp"
#include "triage/v1/snapshot.pb.h"

namespace triage::agent {

/// Names found in pci.ids for the wanted (vendor, device) pairs.
struct PciNames {
  std::map<std::uint32_t, std::string> vendors;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> devices;
};
/// Looks the wanted pairs up in pci.ids as its lines stream past, in one pass.
class PciIdsLookup {
 public:
  explicit PciIdsLookup(std::vector<std::pair<std::uint32_t, std::uint32_t>> wanted);
  /// Takes the next line; false once the vendor section has ended (nothing more to find).
  bool take_line(std::string_view line);
  /// The names found so far.
  const PciNames& names() const { return names_; }

 private:
  std::vector<std::pair<std::uint32_t, std::uint32_t>> wanted_;
  std::set<std::uint32_t> vendors_;
  PciNames names_;
  std::uint32_t current_ = 0;
  bool in_wanted_ = false;
};
/// Looks the wanted pairs up in the whole of a pci.ids text.
PciNames lookup_pci_ids(std::string_view ids,
                        const std::vector<std::pair<std::uint32_t, std::uint32_t>>& wanted);
/// PCI class code (24 bits) to "VGA compatible controller" etc.
std::string pci_class_name(std::uint32_t class_code);
/// The pci collector: PCI devices and GPUs.
Result<void> collect_pci(CollectContext& ctx, v1::Snapshot& out);

}  // namespace triage::agent
