#include "bench/loadgen/identities.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "shared/pki/certificates.hpp"
#include "shared/pki/keys.hpp"
#include "shared/transport/https_client.hpp"
#include "shared/transport/tls_context.hpp"
#include "shared/util/files.hpp"

namespace triage::loadgen {

namespace http = transport::http;

namespace {

Result<Identity> read_identity(const std::filesystem::path& file) {
  auto text = read_file(file);
  if (!text) return tl::unexpected(text.error());
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded()) return fail("corrupt " + file.string());
  auto cert = pki::certificate_from_pem(j.value("certificate", ""));
  auto key = pki::private_key_from_pem(j.value("key", ""));
  if (!cert || !key) return fail("corrupt " + file.string());
  return Identity{j.value("device_id", ""), std::move(*cert), std::move(*key)};
}

Result<Identity> enroll_one(boost::asio::ssl::context& tls, const EnrollPlan& plan,
                            std::size_t index) {
  auto key = pki::generate_p256_key();
  if (!key) return tl::unexpected(key.error());
  auto csr = pki::make_csr_pem(key->get(), "sim-" + std::to_string(index));
  if (!csr) return tl::unexpected(csr.error());
  transport::HttpRequest req{http::verb::post, "/api/v1/enroll", 11};
  req.set(http::field::content_type, "application/json");
  req.body() =
      nlohmann::json{
          {"token", plan.token}, {"csr", *csr}, {"hostname", "sim-" + std::to_string(index)}}
          .dump();
  auto res = transport::https_request(tls, plan.host, plan.port, std::move(req));
  if (!res) return tl::unexpected(res.error());
  if (res->result() != http::status::created) return fail("enroll: " + res->body());
  auto j = nlohmann::json::parse(res->body(), nullptr, false);
  auto cert = pki::certificate_from_pem(j.value("certificate", ""));
  if (!cert) return tl::unexpected(cert.error());
  Identity id{j.value("device_id", ""), std::move(*cert), std::move(*key)};
  nlohmann::json out = {{"device_id", id.device_id},
                        {"certificate", j.value("certificate", "")},
                        {"key", *pki::private_key_to_pem(id.key.get())}};
  auto file = plan.cache_dir / ("sim-" + std::to_string(index) + ".json");
  if (auto r = write_file_atomic(file, out.dump(), 0600); !r) return tl::unexpected(r.error());
  return id;
}

}  // namespace

Result<std::vector<Identity>> load_or_enroll(const EnrollPlan& plan) {
  if (auto r = ensure_directory(plan.cache_dir, 0700); !r) return tl::unexpected(r.error());
  auto tls = transport::make_client_tls_context({plan.ca_pem, "", ""});
  if (!tls) return tl::unexpected(tls.error());
  std::vector<Identity> ids(plan.count);
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  auto worker = [&] {
    for (std::size_t i = next++; i < plan.count; i = next++) {
      auto file = plan.cache_dir / ("sim-" + std::to_string(i) + ".json");
      auto id = std::filesystem::exists(file) ? read_identity(file) : enroll_one(**tls, plan, i);
      if (!id) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = id.error();
        return;
      }
      ids[i] = std::move(*id);
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < plan.parallel; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (first_error) return tl::unexpected(*first_error);
  return ids;
}

}  // namespace triage::loadgen
