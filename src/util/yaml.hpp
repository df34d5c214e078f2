// YAML files as the dbt project uses them (dbt_project.yml, profiles.yml, property files): loading with errors that
// point at file:line:column, and conversion of nodes to JSON values with YAML's scalar types (plain `true`, `3`,
// `null` become bool, number and null; quoted scalars stay strings).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace cowork {

// Parses `text`; a syntax error reads "<label>:<line>:<column>: invalid YAML: <reason>".
Result<YAML::Node> parse_yaml(std::string_view text, std::string_view label);
Result<YAML::Node> load_yaml_file(const std::filesystem::path& path, std::string_view label = {});

nlohmann::json yaml_to_json(const YAML::Node& node);

// "<file>:<line>:<column>" for a node (1-based), or just the file when the node has no position.
std::string yaml_location(std::string_view file, const YAML::Node& node);

}  // namespace cowork
