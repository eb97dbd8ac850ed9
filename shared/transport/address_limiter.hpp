#pragma once
// Places for not-yet-authenticated connections, counted per source address: one host that
// opens thousands of connections and never finishes them (no TLS handshake, no hello) fills
// its own places, not the collector's connection slots. IPv6 addresses count per /64 (one
// host usually holds a whole /64); IPv4-mapped IPv6 addresses count as their IPv4 address.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace triage::transport {

class AddressLimiter;

/// One connection's place; given back when released or destroyed (any thread).
class AddressPlace {
 public:
  AddressPlace() = default;
  AddressPlace(std::shared_ptr<AddressLimiter> limiter, std::string key);
  ~AddressPlace();
  AddressPlace(const AddressPlace&) = delete;
  AddressPlace& operator=(const AddressPlace&) = delete;

  /// Gives the place back (idempotent).
  void release();

 private:
  std::shared_ptr<AddressLimiter> limiter_;
  std::string key_;
};

class AddressLimiter : public std::enable_shared_from_this<AddressLimiter> {
 public:
  /// `per_address` 0: no bound. Addresses in `exempt` are never counted (a TCP load balancer
  /// in front of the collector, through which every agent comes).
  AddressLimiter(std::size_t per_address, std::vector<boost::asio::ip::address> exempt);
  AddressLimiter(const AddressLimiter&) = delete;
  AddressLimiter& operator=(const AddressLimiter&) = delete;

  /// A place for a connection from `address`, or null when that address holds all of its
  /// places already. Without a bound, or for an exempt address, an empty place.
  std::unique_ptr<AddressPlace> try_acquire(const boost::asio::ip::address& address);
  /// Places held by `address` now.
  std::size_t held(const boost::asio::ip::address& address) const;

 private:
  friend class AddressPlace;
  void give_back(const std::string& key);

  const std::size_t per_address_;
  const std::vector<boost::asio::ip::address> exempt_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> held_;
};

}  // namespace triage::transport
