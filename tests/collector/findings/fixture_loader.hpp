#pragma once
// Whole-snapshot fixtures in Protobuf text format, under tests/fixtures/snapshots/.

#include <google/protobuf/text_format.h>

#include <fstream>
#include <sstream>
#include <string>

#include "triage/v1/snapshot.pb.h"

namespace triage::collector::testing {

/// Parses tests/fixtures/snapshots/<name>.textproto; sets `ok` false when the file is missing or
/// does not parse (the parser prints the line to stderr).
inline triage::v1::Snapshot load_snapshot_fixture(const std::string& name, bool& ok) {
  std::ifstream in(std::string(TRIAGE_FIXTURES_DIR) + "/snapshots/" + name + ".textproto");
  std::stringstream text;
  text << in.rdbuf();
  triage::v1::Snapshot snapshot;
  ok = in.good() && google::protobuf::TextFormat::ParseFromString(text.str(), &snapshot);
  return snapshot;
}

}  // namespace triage::collector::testing
