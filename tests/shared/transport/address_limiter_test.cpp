#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "shared/transport/address_limiter.hpp"

using triage::transport::AddressLimiter;
using triage::transport::AddressPlace;
namespace ip = boost::asio::ip;

TEST_CASE(
    "an address holds at most its cap of unauthenticated places, and others are not affected") {
  auto limiter = std::make_shared<AddressLimiter>(2, std::vector<ip::address>{});
  const auto flood = ip::make_address("127.0.0.2");
  const auto agent = ip::make_address("127.0.0.1");
  auto a = limiter->try_acquire(flood);
  auto b = limiter->try_acquire(flood);
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(limiter->try_acquire(flood));
  CHECK(limiter->try_acquire(agent));
  CHECK(limiter->held(flood) == 2);
  // A place given back (authenticated, or closed) makes room for one more.
  a->release();
  a->release();  // idempotent
  CHECK(limiter->held(flood) == 1);
  auto c = limiter->try_acquire(flood);
  CHECK(c);
  c.reset();
  b.reset();
  CHECK(limiter->held(flood) == 0);
}

TEST_CASE(
    "IPv6 addresses share their /64, mapped IPv4 counts as IPv4, and exempt is never counted") {
  auto limiter =
      std::make_shared<AddressLimiter>(1, std::vector<ip::address>{ip::make_address("10.0.0.9")});
  auto first = limiter->try_acquire(ip::make_address("2001:db8:1:2::1"));
  REQUIRE(first);
  CHECK_FALSE(limiter->try_acquire(ip::make_address("2001:db8:1:2::ffff")));
  CHECK(limiter->try_acquire(ip::make_address("2001:db8:1:3::1")));
  auto v4 = limiter->try_acquire(ip::make_address("192.0.2.1"));
  REQUIRE(v4);
  CHECK_FALSE(limiter->try_acquire(ip::make_address("::ffff:192.0.2.1")));
  std::vector<std::unique_ptr<AddressPlace>> many;
  for (int i = 0; i < 100; ++i) many.push_back(limiter->try_acquire(ip::make_address("10.0.0.9")));
  for (const auto& p : many) CHECK(p);
  CHECK(limiter->held(ip::make_address("10.0.0.9")) == 0);
}

TEST_CASE("without a cap every connection gets a place") {
  auto limiter = std::make_shared<AddressLimiter>(0, std::vector<ip::address>{});
  std::vector<std::unique_ptr<AddressPlace>> many;
  for (int i = 0; i < 1000; ++i) many.push_back(limiter->try_acquire(ip::make_address("::1")));
  for (const auto& p : many) CHECK(p);
}
