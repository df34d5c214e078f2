// One node of a dbt project as the manifest describes it: models, seeds, snapshots, tests, sources, exposures,
// metrics and the rest, with the fields the graph, the incidents and the investigation tools need. Everything a
// manifest version may omit has an empty default, so code that reads a Node never asks which version it came from.
//
// Text fields are views into the loaded manifest (its mapped file, or its arena for strings that had escapes), so a
// Node is only valid while its Manifest lives; copy what must outlive it. SQL bodies stay undecoded until read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/arena.hpp"

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
  std::string_view name;
  std::string_view description;
  std::string_view data_type;
};

// What a test checks, from test_metadata and config. Singular tests have an empty `name`.
struct TestInfo {
  std::string_view name;           // test_metadata.name: unique, not_null, accepted_values, expression_is_true...
  std::string_view namespace_;     // test_metadata.namespace: dbt_utils, dbt_expectations... (empty for dbt's own)
  nlohmann::json kwargs;           // test_metadata.kwargs: column_name, values, to, field, expression...
  std::string_view column_name;    // the column tested, from column_name or kwargs.column_name
  std::string_view attached_node;  // the node the test is defined on (attached_node, or resolved from kwargs.model)
  std::string_view severity;       // config.severity, upper-case as dbt writes it: ERROR or WARN
  std::string_view where;          // config.where
  std::string_view warn_if;        // config.warn_if, e.g. "!= 0"
  std::string_view error_if;       // config.error_if
  std::optional<std::int64_t> limit;
  bool store_failures = false;
};

struct Node {
  std::string_view unique_id;
  std::string_view name;
  ResourceType resource_type = ResourceType::other;
  std::string_view resource_type_text;  // as written, for types this build does not name
  std::string_view package_name;
  std::string_view path;                // relative to the resource folder (models/, seeds/...)
  std::string_view original_file_path;  // relative to the project folder
  std::string_view patch_path;          // the YAML file with its properties, without the "project://" prefix
  std::vector<std::string_view> fqn;
  std::vector<std::string_view> tags;
  std::vector<std::string_view> depends_on;         // depends_on.nodes: the unique ids this node reads from
  std::vector<std::string_view> depends_on_macros;  // depends_on.macros
  std::string_view description;
  std::string_view language;  // sql or python
  LazyText raw_code;          // raw_code (v7+) or raw_sql; decode with .str()
  LazyText compiled_code;     // compiled_code (v7+) or compiled_sql; empty until compiled
  std::string_view database;
  std::string_view schema;
  std::string_view alias;
  std::string_view relation_name;
  std::string_view materialized;  // config.materialized
  bool enabled = true;
  nlohmann::json meta;           // node meta merged over config.meta (object or null)
  std::vector<Column> columns;   // in the order the properties file lists them
  std::optional<TestInfo> test;  // set for tests

  // Sources.
  std::string_view source_name;
  std::string_view identifier;
  std::string_view loaded_at_field;

  // Exposures.
  std::string_view exposure_type;  // dashboard, notebook, analysis, ml, application
  std::string_view maturity;
  std::string_view owner;  // owner.name, else owner.email
  std::string_view url;
  std::string_view label;

  // A node referenced by an edge but absent from the manifest's nodes: a disabled node (then `enabled` is false), or
  // one the manifest does not have at all (artifacts from different runs, a hand-trimmed file).
  bool placeholder = false;

  // The column with this name, case-insensitively; nullptr if the properties do not list it.
  const Column* find_column(std::string_view column_name) const;
  // meta.criticality (node or config meta), lower-cased; empty when unset.
  std::string criticality() const;
  // The column a test checks (its column_name), empty for other nodes and model-level tests.
  std::string_view tested_column() const { return test ? test->column_name : std::string_view(); }
};

}  // namespace cowork::dbt
