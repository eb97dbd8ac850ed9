#include "shared/transport/address_limiter.hpp"

#include <algorithm>
#include <utility>

namespace triage::transport {

namespace {

std::string address_key(const boost::asio::ip::address& address) {
  if (address.is_v6()) {
    const auto v6 = address.to_v6();
    if (v6.is_v4_mapped()) {
      return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
    }
    auto bytes = v6.to_bytes();
    return "v6:" + std::string(reinterpret_cast<const char*>(bytes.data()), 8);
  }
  return address.to_string();
}

}  // namespace

AddressPlace::AddressPlace(std::shared_ptr<AddressLimiter> limiter, std::string key)
    : limiter_(std::move(limiter)), key_(std::move(key)) {}

AddressPlace::~AddressPlace() { release(); }

void AddressPlace::release() {
  if (!limiter_) return;
  limiter_->give_back(key_);
  limiter_.reset();
}

AddressLimiter::AddressLimiter(std::size_t per_address,
                               std::vector<boost::asio::ip::address> exempt)
    : per_address_(per_address), exempt_(std::move(exempt)) {}

std::unique_ptr<AddressPlace> AddressLimiter::try_acquire(const boost::asio::ip::address& address) {
  if (per_address_ == 0 || std::find(exempt_.begin(), exempt_.end(), address) != exempt_.end()) {
    return std::make_unique<AddressPlace>();
  }
  auto key = address_key(address);
  {
    std::lock_guard lock(mutex_);
    auto& count = held_[key];
    if (count >= per_address_) return nullptr;
    ++count;
  }
  return std::make_unique<AddressPlace>(shared_from_this(), std::move(key));
}

std::size_t AddressLimiter::held(const boost::asio::ip::address& address) const {
  std::lock_guard lock(mutex_);
  auto it = held_.find(address_key(address));
  return it == held_.end() ? 0 : it->second;
}

void AddressLimiter::give_back(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = held_.find(key);
  if (it == held_.end()) return;
  if (--it->second == 0) held_.erase(it);
}

}  // namespace triage::transport
