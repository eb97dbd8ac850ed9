// The charted metric names: what a snapshot yields and what the history API accepts.
#include <map>

#include <catch2/catch.hpp>

#include "collector/ingest/metric_extractor.hpp"

using namespace triage;
using namespace triage::collector;

TEST_CASE("mount points become metric name segments") {
  CHECK(mount_segment("/") == "root");
  CHECK(mount_segment("/home") == "home");
  CHECK(mount_segment("/var/log") == "var_log");
  CHECK(mount_segment("/media/My Disk") == "media_My_Disk");
  CHECK(mount_segment(std::string(200, 'a')).size() == 64);
}

TEST_CASE("a snapshot yields the fixed metric set") {
  v1::Snapshot s;
  s.mutable_health()->mutable_load()->set_load1(1.5);
  auto* mem = s.mutable_hardware()->mutable_memory();
  mem->set_used_percent(70);
  mem->set_swap_total_bytes(0);
  mem->set_swap_used_percent(0);  // no swap at all: not charted
  auto* root = s.mutable_hardware()->add_filesystems();
  root->set_mount_point("/");
  root->set_used_percent(91);
  auto* snap = s.mutable_hardware()->add_filesystems();
  snap->set_mount_point("/snap/core/1");
  snap->set_fs_type("squashfs");
  snap->set_used_percent(100);
  auto* bat = s.mutable_hardware()->add_batteries();
  bat->set_name("BAT0");
  bat->set_health_percent(81);
  bat->set_charge_percent(55);

  std::map<std::string, double> got;
  for (auto& [name, value] : extract_metrics(s)) got[name] = value;
  CHECK(got == std::map<std::string, double>{{"cpu.load1", 1.5},
                                             {"cpu.load5", 0},
                                             {"cpu.load15", 0},
                                             {"memory.used_pct", 70},
                                             {"disk.root.used_pct", 91},
                                             {"battery.health_pct", 81},
                                             {"battery.charge_pct", 55}});
  for (const auto& [name, value] : got) CHECK(is_metric_name(name));
}

TEST_CASE("only known metric names are accepted") {
  CHECK(is_metric_name("disk.root.used_pct"));
  CHECK(is_metric_name("disk.var_log.used_pct"));
  CHECK(is_metric_name("swap.used_pct"));
  CHECK_FALSE(is_metric_name(""));
  CHECK_FALSE(is_metric_name("disk..used_pct"));
  CHECK_FALSE(is_metric_name("disk.a/b.used_pct"));
  CHECK_FALSE(is_metric_name("disk.root.used_pct; DROP TABLE"));
  CHECK_FALSE(is_metric_name("cpu.temperature"));
}
