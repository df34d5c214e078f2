// dbt's node configs: how the trees of dbt_project.yml apply to a node by its folder, and how configs from the
// project, the property YAML and the model's own config() call merge (later ones win; tags accumulate, meta merges
// key by key, hooks append). Used by the native compiler.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace cowork::dbt {

// "+materialized" -> "materialized", "pre-hook" -> "pre_hook".
std::string normalize_config_key(std::string_view key);

// The configs a node with `fqn` (project name, folders, node name) gets from a dbt_project.yml tree such as
// {"shop": {"+materialized": "view", "marts": {"+materialized": "table"}}}: every level from the project down to the
// node's folder (and a key named after the node itself), merged in that order.
nlohmann::json resolve_tree_config(const nlohmann::json& tree, const std::vector<std::string>& fqn);

// Merges `overrides` into `base` (both objects, keys normalized) with dbt's rules.
void merge_config(nlohmann::json& base, const nlohmann::json& overrides);

}  // namespace cowork::dbt
