#include "dbt/config.hpp"

#include <algorithm>
#include <array>

namespace cowork::dbt {
namespace {

// Configs whose values are mappings: under a folder such a key is a config, not a sub-folder.
constexpr std::array<std::string_view, 9> k_mapping_configs = {
    "meta", "docs", "persist_docs", "grants", "column_types", "quoting", "contract", "freshness", "partition_by"};

bool is_mapping_config(std::string_view key) {
  return std::find(k_mapping_configs.begin(), k_mapping_configs.end(), key) != k_mapping_configs.end();
}

void append_unique(nlohmann::json& list, const nlohmann::json& more) {
  if (!list.is_array()) list = list.is_null() ? nlohmann::json::array() : nlohmann::json::array({list});
  auto add = [&](const nlohmann::json& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
  };
  if (more.is_array()) {
    for (const auto& item : more) add(item);
  } else if (!more.is_null()) {
    add(more);
  }
}

void append(nlohmann::json& list, const nlohmann::json& more) {
  if (!list.is_array()) list = list.is_null() ? nlohmann::json::array() : nlohmann::json::array({list});
  if (more.is_array()) {
    for (const auto& item : more) list.push_back(item);
  } else if (!more.is_null()) {
    list.push_back(more);
  }
}

}  // namespace

std::string normalize_config_key(std::string_view key) {
  std::string out(key.starts_with('+') ? key.substr(1) : key);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

void merge_config(nlohmann::json& base, const nlohmann::json& overrides) {
  if (!base.is_object()) base = nlohmann::json::object();
  if (!overrides.is_object()) return;
  for (const auto& [raw_key, value] : overrides.items()) {
    const std::string key = normalize_config_key(raw_key);
    if (key == "tags") {
      append_unique(base[key], value);
    } else if (key == "pre_hook" || key == "post_hook") {
      append(base[key], value);
    } else if ((key == "meta" || key == "docs" || key == "column_types") && value.is_object()) {
      nlohmann::json& target = base[key];
      if (!target.is_object()) target = nlohmann::json::object();
      for (const auto& [k, v] : value.items()) target[k] = v;
    } else {
      base[key] = value;
    }
  }
}

nlohmann::json resolve_tree_config(const nlohmann::json& tree, const std::vector<std::string>& fqn) {
  nlohmann::json config = nlohmann::json::object();
  if (!tree.is_object() || fqn.empty()) return config;
  // Configs written at the top of the tree, outside any project key, apply to every node.
  auto level_configs = [](const nlohmann::json& level) {
    nlohmann::json configs = nlohmann::json::object();
    for (const auto& [key, value] : level.items()) {
      const bool plus = key.starts_with('+');
      if (plus || !value.is_object() || is_mapping_config(key)) configs[key] = value;
    }
    return configs;
  };
  merge_config(config, level_configs(tree));
  const nlohmann::json* level = &tree;
  for (const auto& part : fqn) {
    auto it = level->find(part);
    if (it == level->end() || !it->is_object()) break;
    level = &*it;
    merge_config(config, level_configs(*level));
  }
  return config;
}

}  // namespace cowork::dbt
