// One node of a dbt project as the manifest describes it: models, seeds, snapshots, tests, sources, exposures,
// metrics and the rest, with the fields the graph, the incidents and the investigation tools need. Everything a
// manifest version may omit has an empty default, so code that reads a Node never asks which version it came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace cowork::dbt {

enum class ResourceType : std::uint8_t {
  model,
  seed,
  snapshot,
  test,
  unit_test,
  source,
  exposure,
  metric,
  semantic_model,
  saved_query,
  analysis,
  operation,
  sql_operation,
  function,
  other,
};

std::string_view to_string(ResourceType type);
// dbt's spelling ("model", "unit_test"...) to the enum; anything else is `other`.
ResourceType resource_type_from_string(std::string_view text);
// The resource type a unique id's prefix names ("model.pkg.name" -> model).
ResourceType resource_type_from_unique_id(std::string_view unique_id);
// A short name for a unique id, for people: "model.shop.orders" -> "orders", a test's name without its hash
// suffix, a source as "source_name.table".
std::string short_name(std::string_view unique_id);
// Models, seeds and snapshots: the nodes that build a relation in the warehouse.
bool is_buildable(ResourceType type);

struct Column {
  std::string name;
  std::string description;
  std::string data_type;
};

// What a test checks, from test_metadata and config. Singular tests have an empty `name`.
struct TestInfo {
  std::string name;           // test_metadata.name: unique, not_null, accepted_values, expression_is_true...
  std::string namespace_;     // test_metadata.namespace: dbt_utils, dbt_expectations... (empty for dbt's own)
  nlohmann::json kwargs;      // test_metadata.kwargs: column_name, values, to, field, expression...
  std::string column_name;    // the column tested, from column_name or kwargs.column_name
  std::string attached_node;  // the node the test is defined on (attached_node, or resolved from kwargs.model)
  std::string severity;       // config.severity, upper-case as dbt writes it: ERROR or WARN
  std::string where;          // config.where
  std::string warn_if;        // config.warn_if, e.g. "!= 0"
  std::string error_if;       // config.error_if
  std::optional<std::int64_t> limit;
  bool store_failures = false;
};

struct Node {
  std::string unique_id;
  std::string name;
  ResourceType resource_type = ResourceType::other;
  std::string resource_type_text;  // as written, for types this build does not name
  std::string package_name;
  std::string path;                // relative to the resource folder (models/, seeds/...)
  std::string original_file_path;  // relative to the project folder
  std::string patch_path;          // the YAML file with its properties, without the "project://" prefix
  std::vector<std::string> fqn;
  std::vector<std::string> tags;
  std::vector<std::string> depends_on;         // depends_on.nodes: the unique ids this node reads from
  std::vector<std::string> depends_on_macros;  // depends_on.macros
  std::string description;
  std::string language;       // sql or python
  std::string raw_code;       // raw_code (v7+) or raw_sql
  std::string compiled_code;  // compiled_code (v7+) or compiled_sql; empty until compiled
  std::string database;
  std::string schema;
  std::string alias;
  std::string relation_name;
  std::string materialized;  // config.materialized
  bool enabled = true;
  nlohmann::json meta;           // node meta merged over config.meta (object or null)
  std::vector<Column> columns;   // in the order the properties file lists them
  std::optional<TestInfo> test;  // set for tests

  // Sources.
  std::string source_name;
  std::string identifier;
  std::string loaded_at_field;

  // Exposures.
  std::string exposure_type;  // dashboard, notebook, analysis, ml, application
  std::string maturity;
  std::string owner;  // owner.name, else owner.email
  std::string url;
  std::string label;

  // A node referenced by an edge but absent from the manifest's nodes: a disabled node (then `enabled` is false), or
  // one the manifest does not have at all (artifacts from different runs, a hand-trimmed file).
  bool placeholder = false;

  // The column with this name, case-insensitively; nullptr if the properties do not list it.
  const Column* find_column(std::string_view column_name) const;
  // meta.criticality (node or config meta), lower-cased; empty when unset.
  std::string criticality() const;
};

}  // namespace cowork::dbt
