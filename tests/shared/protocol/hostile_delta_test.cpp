// Deltas an endpoint crafts to hurt the collector: large lists reordered or emptied change by
// change, lists grown past their limit, values that contradict their path. Each is refused
// with its reason or applied correctly, in time linear in its size (bench/delta measures it).

#include <google/protobuf/util/message_differencer.h>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "shared/protocol/delta.hpp"
#include "shared/protocol/message_limits.hpp"

using namespace triage::protocol;
namespace v1 = triage::v1;

namespace {

std::string package_name(int i) { return "pkg-" + std::to_string(i); }

v1::Snapshot with_packages(int n) {
  v1::Snapshot s;
  auto* packages = s.mutable_software()->mutable_packages();
  packages->Reserve(n);
  for (int i = 0; i < n; ++i) {
    auto* p = packages->Add();
    p->set_name(package_name(i));
    p->set_arch("amd64");
    p->set_source(v1::Package::DPKG);
    p->set_version("1.0");
  }
  return s;
}

v1::Change& change_at(v1::Delta& delta, v1::Change::Kind kind) {
  auto* c = delta.add_changes();
  c->set_kind(kind);
  auto* software = c->add_path();
  software->set_field(v1::Snapshot::kSoftwareFieldNumber);
  software->set_name("software");
  return *c;
}

v1::PathStep& packages_step(v1::Change& c) {
  auto* step = c.add_path();
  step->set_field(v1::SoftwareInfo::kPackagesFieldNumber);
  step->set_name("packages");
  return *step;
}

void set_key(v1::PathStep& step, int i) {
  step.set_has_key(true);
  step.add_key(package_name(i));
  step.add_key("amd64");
  step.add_key("DPKG");
}

}  // namespace

TEST_CASE(
    "a hostile reordering delta on a 200k-element list is refused or applied without "
    "quadratic cost",
    "[delta][hostile]") {
  constexpr int kSize = 200'000;
  auto base = with_packages(kSize);
  v1::Delta delta;
  auto& reorder = change_at(delta, v1::Change::REORDERED);
  packages_step(reorder);
  for (int i = kSize - 1; i >= 0; --i) {
    auto* tuple = reorder.add_order();
    tuple->add_key(package_name(i));
    tuple->add_key("amd64");
    tuple->add_key("DPKG");
  }
  auto applied = apply_delta(base, delta);
  if (!applied) {
    CHECK_THAT(applied.error().message, Catch::Contains("limit"));
    return;
  }
  const auto& packages = applied->software().packages();
  REQUIRE(packages.size() == kSize);
  for (int i = 0; i < kSize; ++i) {
    if (packages.Get(i).name() != package_name(kSize - 1 - i)) FAIL("position " << i);
  }
}

TEST_CASE("a delta removing half of a 200k-element list one by one is applied in order",
          "[delta][hostile]") {
  constexpr int kSize = 200'000;
  auto base = with_packages(kSize);
  v1::Delta delta;
  // Removed from the front (the old code moved every later element once per removal).
  for (int i = 0; i < kSize; i += 2)
    set_key(packages_step(change_at(delta, v1::Change::REMOVED)), i);
  // One of the survivors replaced whole: it keeps its place.
  auto& added = change_at(delta, v1::Change::ADDED);
  set_key(packages_step(added), 1);
  auto element = base.software().packages(1);
  element.set_version("2.0");
  added.set_value(element.SerializeAsString());
  auto applied = apply_delta(base, delta);
  REQUIRE(applied);
  const auto& packages = applied->software().packages();
  REQUIRE(packages.size() == kSize / 2);
  for (int i = 0; i < kSize / 2; ++i) {
    if (packages.Get(i).name() != package_name(2 * i + 1)) FAIL("position " << i);
  }
  CHECK(packages.Get(0).version() == "2.0");
  CHECK(packages.Get(1).version() == "1.0");
}

TEST_CASE("a delta growing a list past its limit is refused", "[delta][hostile]") {
  const int limit =
      static_cast<int>(element_limit(v1::SoftwareInfo::descriptor()->FindFieldByName("packages")));
  auto base = with_packages(limit);
  v1::Delta delta;
  auto& added = change_at(delta, v1::Change::ADDED);
  set_key(packages_step(added), limit);
  auto element = base.software().packages(0);
  element.set_name(package_name(limit));
  added.set_value(element.SerializeAsString());
  auto applied = apply_delta(base, delta);
  REQUIRE_FALSE(applied);
  CHECK_THAT(applied.error().message,
             Catch::Contains("past " + std::to_string(limit) + " elements") &&
                 Catch::Contains("software.packages"));
}

TEST_CASE("a delta whose value contradicts its path is refused", "[delta][hostile]") {
  auto base = with_packages(3);
  SECTION("an added element under another element's key") {
    v1::Delta delta;
    auto& added = change_at(delta, v1::Change::ADDED);
    set_key(packages_step(added), 1);
    added.set_value(base.software().packages(2).SerializeAsString());
    auto applied = apply_delta(base, delta);
    REQUIRE_FALSE(applied);
    CHECK_THAT(applied.error().message, Catch::Contains("key does not match"));
  }
  SECTION("a changed value setting a field it does not name") {
    v1::Delta delta;
    auto& changed = change_at(delta, v1::Change::CHANGED);
    set_key(packages_step(changed), 1);
    changed.add_fields("version");
    changed.add_field_numbers(v1::Package::kVersionFieldNumber);
    v1::Package value;
    value.set_version("9");
    value.set_name("renamed");
    changed.set_value(value.SerializeAsString());
    auto applied = apply_delta(base, delta);
    REQUIRE_FALSE(applied);
    CHECK_THAT(applied.error().message, Catch::Contains("does not name"));
  }
  SECTION("a new order naming only part of the list") {
    v1::Delta delta;
    auto& reorder = change_at(delta, v1::Change::REORDERED);
    packages_step(reorder);
    auto* tuple = reorder.add_order();
    tuple->add_key(package_name(2));
    tuple->add_key("amd64");
    tuple->add_key("DPKG");
    auto applied = apply_delta(base, delta);
    REQUIRE_FALSE(applied);
    CHECK_THAT(applied.error().message, Catch::Contains("reorders 1 elements of a list of 3"));
  }
  SECTION("a key step into a list of strings") {
    v1::Delta delta;
    auto& removed = change_at(delta, v1::Change::REMOVED);
    removed.mutable_path(0)->set_field(v1::Snapshot::kNetworkFieldNumber);
    removed.add_path()->set_field(v1::NetworkInfo::kDnsFieldNumber);
    auto* names = removed.add_path();
    names->set_field(v1::Dns::kNameserversFieldNumber);
    names->set_has_key(true);
    names->add_key("10.0.0.1");
    auto applied = apply_delta(base, delta);
    REQUIRE_FALSE(applied);
    CHECK_THAT(applied.error().message, Catch::Contains("unkeyed"));
  }
}

TEST_CASE("removals and additions mixed with replacements of their parent stay consistent",
          "[delta][hostile]") {
  v1::Snapshot base;
  for (const char* name : {"eth0", "wlan0"}) {
    auto* nic = base.mutable_network()->add_interfaces();
    nic->set_name(name);
    for (int i = 0; i < 4; ++i) nic->add_addresses()->set_address("10.0.0." + std::to_string(i));
  }
  auto expected = base;
  v1::Delta delta;
  auto step_to = [](v1::Change& c, const std::string& nic) {
    c.mutable_path(0)->set_field(v1::Snapshot::kNetworkFieldNumber);
    auto* s = c.add_path();
    s->set_field(v1::NetworkInfo::kInterfacesFieldNumber);
    s->set_has_key(true);
    s->add_key(nic);
  };
  auto address_step = [](v1::Change& c, const std::string& address) {
    auto* s = c.add_path();
    s->set_field(v1::NetworkInterface::kAddressesFieldNumber);
    s->set_has_key(true);
    s->add_key(address);
  };
  // eth0 loses an address, then is replaced whole, then loses another one.
  auto& r1 = change_at(delta, v1::Change::REMOVED);
  step_to(r1, "eth0");
  address_step(r1, "10.0.0.1");
  auto replacement = base.network().interfaces(0);
  replacement.mutable_addresses()->DeleteSubrange(3, 1);
  auto& add = change_at(delta, v1::Change::ADDED);
  step_to(add, "eth0");
  add.set_value(replacement.SerializeAsString());
  auto& r2 = change_at(delta, v1::Change::REMOVED);
  step_to(r2, "eth0");
  address_step(r2, "10.0.0.0");
  // wlan0 loses its first address.
  auto& r3 = change_at(delta, v1::Change::REMOVED);
  step_to(r3, "wlan0");
  address_step(r3, "10.0.0.0");

  auto applied = apply_delta(base, delta);
  REQUIRE(applied);
  auto* eth0 = expected.mutable_network()->mutable_interfaces(0);
  eth0->mutable_addresses()->DeleteSubrange(3, 1);
  eth0->mutable_addresses()->DeleteSubrange(0, 1);
  expected.mutable_network()->mutable_interfaces(1)->mutable_addresses()->DeleteSubrange(0, 1);
  CHECK(google::protobuf::util::MessageDifferencer::Equals(*applied, expected));
}

namespace {

v1::KeyTuple& order_entry(v1::Change& reorder, int i) {
  auto* tuple = reorder.add_order();
  tuple->add_key(package_name(i));
  tuple->add_key("amd64");
  tuple->add_key("DPKG");
  return *tuple;
}

std::vector<std::string> names(const v1::Snapshot& s) {
  std::vector<std::string> out;
  for (const auto& p : s.software().packages()) out.push_back(p.name());
  return out;
}

}  // namespace

TEST_CASE("a new order between removals, additions and changes puts each element where it says",
          "[delta][hostile]") {
  auto base = with_packages(6);  // pkg-0 .. pkg-5
  v1::Delta delta;
  set_key(packages_step(change_at(delta, v1::Change::REMOVED)), 1);
  auto& added = change_at(delta, v1::Change::ADDED);
  set_key(packages_step(added), 6);
  auto element = base.software().packages(0);
  element.set_name(package_name(6));
  added.set_value(element.SerializeAsString());
  auto& reorder = change_at(delta, v1::Change::REORDERED);
  packages_step(reorder);
  for (int i : {6, 5, 0, 3, 2, 4}) order_entry(reorder, i);
  // Addressed by key after the new order: found at their new places.
  auto& changed = change_at(delta, v1::Change::CHANGED);
  set_key(packages_step(changed), 0);
  changed.add_fields("version");
  changed.add_field_numbers(v1::Package::kVersionFieldNumber);
  v1::Package value;
  value.set_version("3.0");
  changed.set_value(value.SerializeAsString());
  set_key(packages_step(change_at(delta, v1::Change::REMOVED)), 3);

  auto applied = apply_delta(base, delta);
  REQUIRE(applied);
  CHECK(names(*applied) == std::vector<std::string>{"pkg-6", "pkg-5", "pkg-0", "pkg-2", "pkg-4"});
  CHECK(applied->software().packages(2).version() == "3.0");
  CHECK(applied->software().packages(0).version() == "1.0");
}

TEST_CASE("a new order that cannot be followed is refused whole", "[delta][hostile]") {
  auto base = with_packages(4);
  v1::Delta delta;
  auto& reorder = change_at(delta, v1::Change::REORDERED);
  packages_step(reorder);
  SECTION("a key the list lacks") {
    for (int i : {3, 2, 1, 9}) order_entry(reorder, i);
    auto applied = apply_delta(base, delta);
    REQUIRE_FALSE(applied);
    CHECK_THAT(applied.error().message, Catch::Contains("missing element"));
  }
  SECTION("an element named twice") {
    for (int i : {3, 2, 3, 0}) order_entry(reorder, i);
    auto applied = apply_delta(base, delta);
    REQUIRE_FALSE(applied);
    CHECK_THAT(applied.error().message, Catch::Contains("twice"));
  }
  SECTION("a list whose keys are not unique") {
    base.mutable_software()->mutable_packages(3)->set_name(package_name(0));
    for (int i : {0, 2, 1, 0}) order_entry(reorder, i);
    auto applied = apply_delta(base, delta);
    REQUIRE_FALSE(applied);
    CHECK_THAT(applied.error().message, Catch::Contains("not unique"));
  }
}

TEST_CASE("the elements of a state count its lists and every unknown field, inside elements too",
          "[delta][hostile]") {
  auto snapshot = with_packages(3);
  CHECK(count_elements(snapshot) == 3);
  // A package with fields this collector does not know (a newer agent, or a hostile one).
  auto* package = snapshot.mutable_software()->mutable_packages(1);
  package->GetReflection()->MutableUnknownFields(package)->AddVarint(99, 1);
  package->GetReflection()->MutableUnknownFields(package)->AddVarint(98, 1);
  snapshot.mutable_system()
      ->GetReflection()
      ->MutableUnknownFields(snapshot.mutable_system())
      ->AddVarint(97, 1);
  CHECK(count_elements(snapshot) == 6);
  snapshot.mutable_network()->add_interfaces()->add_addresses();
  CHECK(count_elements(snapshot) == 8);
}
