#include "warehouse/warehouse.hpp"

#include <algorithm>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "warehouse/duckdb_warehouse.hpp"
#include "warehouse/postgres_warehouse.hpp"

namespace cowork::warehouse {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, WarehouseFactory, std::less<>> factories;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

void register_warehouse(std::string type, WarehouseFactory factory) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.factories[std::move(type)] = std::move(factory);
}

void register_builtin_warehouses() {
  // Once only, so a factory a test registered under a built-in name is not overwritten by a later call.
  static std::once_flag once;
  std::call_once(once, [] {
    register_duckdb_warehouse();
    register_postgres_warehouse();
  });
}

std::vector<std::string> supported_warehouse_types() {
  register_builtin_warehouses();
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> types;
  for (const auto& [type, factory] : r.factories) types.push_back(type);
  return types;  // std::map keeps them sorted
}

Result<std::unique_ptr<Warehouse>> open_warehouse(const ConnectionConfig& config) {
  register_builtin_warehouses();
  WarehouseFactory factory;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    if (auto it = r.factories.find(config.type); it != r.factories.end()) factory = it->second;
  }
  if (!factory) {
    return make_error(ErrorCode::invalid_argument, "unknown warehouse type \"{}\" in the profile; supported types: {}",
                      config.type, fmt::join(supported_warehouse_types(), ", "));
  }
  return factory(config);
}

std::string to_string(const Value& value) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "NULL"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return s; }
  };
  return std::visit(Visitor{}, value);
}

}  // namespace cowork::warehouse
