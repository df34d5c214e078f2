#include "dbt/node.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include <fmt/format.h>

#include "util/strings.hpp"

namespace cowork::dbt {
namespace {

constexpr std::array<std::pair<ResourceType, std::string_view>, 14> k_type_names{{
    {ResourceType::model, "model"},
    {ResourceType::seed, "seed"},
    {ResourceType::snapshot, "snapshot"},
    {ResourceType::test, "test"},
    {ResourceType::unit_test, "unit_test"},
    {ResourceType::source, "source"},
    {ResourceType::exposure, "exposure"},
    {ResourceType::metric, "metric"},
    {ResourceType::semantic_model, "semantic_model"},
    {ResourceType::saved_query, "saved_query"},
    {ResourceType::analysis, "analysis"},
    {ResourceType::operation, "operation"},
    {ResourceType::sql_operation, "sql_operation"},
    {ResourceType::function, "function"},
}};

}  // namespace

std::string_view to_string(ResourceType type) {
  for (const auto& [value, name] : k_type_names)
    if (value == type) return name;
  return "other";
}

ResourceType resource_type_from_string(std::string_view text) {
  for (const auto& [value, name] : k_type_names)
    if (iequals(name, text)) return value;
  if (iequals(text, "sql operation") || iequals(text, "rpc")) return ResourceType::sql_operation;
  return ResourceType::other;
}

ResourceType resource_type_from_unique_id(std::string_view unique_id) {
  return resource_type_from_string(unique_id.substr(0, unique_id.find('.')));
}

std::string short_name(std::string_view unique_id) {
  const auto parts = split(unique_id, '.');
  if (parts.size() < 3) return std::string(unique_id);
  const ResourceType type = resource_type_from_string(parts[0]);
  if (type == ResourceType::source && parts.size() >= 4)
    return fmt::format("{}.{}", parts[parts.size() - 2], parts.back());
  const std::string_view last = parts.back();
  const bool hash_suffix = last.size() == 10 && std::all_of(last.begin(), last.end(), [](char c) {
                             return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
                           });
  if ((type == ResourceType::test || type == ResourceType::unit_test) && hash_suffix && parts.size() >= 4)
    return std::string(parts[parts.size() - 2]);
  return std::string(last);
}

bool is_buildable(ResourceType type) {
  return type == ResourceType::model || type == ResourceType::seed || type == ResourceType::snapshot;
}

const Column* Node::find_column(std::string_view column_name) const {
  for (const auto& column : columns)
    if (iequals(column.name, column_name)) return &column;
  return nullptr;
}

std::string Node::criticality() const {
  if (!meta.is_object()) return {};
  auto it = meta.find("criticality");
  if (it == meta.end()) return {};
  if (it->is_string()) return to_lower(it->get<std::string>());
  if (it->is_number() || it->is_boolean()) return it->dump();
  return {};
}

}  // namespace cowork::dbt
