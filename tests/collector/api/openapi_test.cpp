// The OpenAPI document and the router describe the same API: every route documented with
// its access and role, nothing documented that is not served, every reference resolvable.

#include <set>
#include <string>
#include <tuple>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "collector/api/api_router.hpp"
#include "collector/api/openapi_document.hpp"

using triage::collector::Access;
using triage::collector::api_routes;
using triage::collector::openapi_document;
using triage::collector::role_name;

namespace {

const nlohmann::json& document() {
  static const nlohmann::json doc = nlohmann::json::parse(openapi_document());
  return doc;
}

std::string method_name(boost::beast::http::verb verb) {
  std::string name(boost::beast::http::to_string(verb));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

// A local reference ("#/components/parameters/TicketId") to the node it names.
const nlohmann::json& resolve(const std::string& ref) {
  return document().at(nlohmann::json::json_pointer(ref.substr(1)));
}

const std::set<std::string> kMethods = {"get", "post", "put", "patch", "delete"};

void collect_refs(const nlohmann::json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) out.push_back(value.get<std::string>());
      collect_refs(value, out);
    }
  } else if (node.is_array()) {
    for (const auto& value : node) collect_refs(value, out);
  }
}

std::vector<std::string> path_params(const std::string& pattern) {
  std::vector<std::string> out;
  for (std::size_t at = pattern.find('{'); at != std::string::npos;
       at = pattern.find('{', at + 1)) {
    out.push_back(pattern.substr(at + 1, pattern.find('}', at) - at - 1));
  }
  return out;
}

}  // namespace

TEST_CASE("the OpenAPI document is OpenAPI 3 JSON", "[api][openapi]") {
  const auto& doc = document();
  CHECK(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);
  CHECK_FALSE(doc["info"]["title"].get<std::string>().empty());
  CHECK(doc["components"]["securitySchemes"].contains("bearer"));
}

TEST_CASE("every served route is documented with its access and role, and nothing else",
          "[api][openapi]") {
  const auto& paths = document()["paths"];
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& route : api_routes()) {
    const auto method = method_name(route.method);
    INFO(method << " " << route.pattern);
    CHECK(served.emplace(method, route.pattern).second);  // no route twice
    REQUIRE(paths.contains(route.pattern));
    REQUIRE(paths[route.pattern].contains(method));
    const auto& op = paths[route.pattern][method];
    CHECK_FALSE(op.value("operationId", "").empty());
    if (route.access == Access::kPublic) {
      CHECK(op["x-triage-access"] == "public");
      CHECK(op["security"] == nlohmann::json::array());
    } else {
      CHECK(op["x-triage-access"] == "authenticated");
      CHECK(op["x-triage-role"] == role_name(route.min_role));
      CHECK(op["responses"].contains("401"));
      CHECK(op["responses"].contains("403"));
    }
    // Each path parameter is declared, at the operation or the path level.
    for (const auto& name : path_params(route.pattern)) {
      bool declared = false;
      for (const auto* list : {&op, &paths[route.pattern]}) {
        if (!list->contains("parameters")) continue;
        for (const auto& p : (*list)["parameters"]) {
          const auto& param = p.contains("$ref") ? resolve(p["$ref"].get<std::string>()) : p;
          if (param.value("in", "") == "path" && param.value("name", "") == name) declared = true;
        }
      }
      INFO("path parameter " << name);
      CHECK(declared);
    }
  }
  for (const auto& [path, item] : paths.items()) {
    for (const auto& [method, op] : item.items()) {
      if (!kMethods.count(method)) continue;
      INFO("documented but not served: " << method << " " << path);
      CHECK(served.count({method, path}) == 1);
    }
  }
}

TEST_CASE("operation ids are unique and every $ref resolves", "[api][openapi]") {
  const auto& doc = document();
  std::set<std::string> ids;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (!kMethods.count(method)) continue;
      INFO(method << " " << path);
      CHECK(ids.insert(op.value("operationId", "")).second);
      CHECK_FALSE(op["responses"].empty());
    }
  }
  std::vector<std::string> refs;
  collect_refs(doc, refs);
  CHECK_FALSE(refs.empty());
  for (const auto& ref : refs) {
    INFO(ref);
    REQUIRE(ref.rfind("#/", 0) == 0);
    CHECK(doc.contains(nlohmann::json::json_pointer(ref.substr(1))));
  }
}
