// The edits fix strategies make to dbt property files (schema.yml, sources.yml): approve a value of an
// `accepted_values` test, set a test's config (`severity: warn`, `where: ...`), add or remove a data test. Each finds
// the model, seed, snapshot or source table by name, then its column and test, whichever of dbt's spellings the file
// uses (`tests:` or `data_tests:`; `- unique`, `- unique: {...}`, `- test_name: unique`; arguments at the top of the
// test or under dbt 1.10's `arguments:`), and changes the text minimally through yaml_edit.hpp. A name that is not
// there is an error that lists what is: "models/schema.yml: no model named 'dim_x' (models here: a, b)".
//
// Used by the fix proposer, whose options carry the unified diff (diff.hpp) of the result.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fixes/yaml_document.hpp"
#include "fixes/yaml_edit.hpp"
#include "util/error.hpp"

namespace cowork::fixes {

// What a property file describes: a model, seed or snapshot by name, or a source's table.
struct Resource {
  enum class Kind { model, seed, snapshot, source };
  Kind kind = Kind::model;
  std::string name;   // the model, seed or snapshot, or the source
  std::string table;  // the source's table

  static Resource model(std::string name) { return {Kind::model, std::move(name), {}}; }
  static Resource seed(std::string name) { return {Kind::seed, std::move(name), {}}; }
  static Resource snapshot(std::string name) { return {Kind::snapshot, std::move(name), {}}; }
  static Resource source(std::string source, std::string table) {
    return {Kind::source, std::move(source), std::move(table)};
  }
  // "model 'dim_listings'", "source table 'airbnb.listings'".
  std::string describe() const;
};

// The mapping that describes `resource` in the file.
Result<NodeId> find_resource(const YamlDocument& doc, const Resource& resource);
// The mapping of `column` under the resource's `columns:`; an empty column is the resource itself.
Result<NodeId> find_column(const YamlDocument& doc, const Resource& resource, std::string_view column);
// The data test entry named `test` (its test name, or its own `name:`) of the resource or one of its columns.
Result<NodeId> find_test(const YamlDocument& doc, const Resource& resource, std::string_view column,
                         std::string_view test);

// Adds `values` to the `values:` list of the column's `accepted_values` test, in the list's own style; values
// already there are skipped (the text comes back unchanged when all are).
Result<std::string> add_accepted_values(std::string_view text, std::string_view file, const Resource& resource,
                                        std::string_view column, const std::vector<Value>& values);
// Sets `key` (severity, where, warn_if, error_if, limit, store_failures...) of a test's config. An existing setting is
// replaced where it is (under `config:`, or at the test's top level in the older style); a new one goes under the
// test's `config:`, which is created when missing, turning a bare `- unique` into `- unique:` with a config below.
// An empty column means a test of the resource itself.
Result<std::string> set_test_config(std::string_view text, std::string_view file, const Resource& resource,
                                    std::string_view column, std::string_view test, std::string_view key,
                                    const Value& value);
// Adds a data test: `"not_null"`, or `{"accepted_values": {"values": [...]}}`. It is appended to the column's
// `data_tests:` or `tests:`; without either the list is created under the key the file uses elsewhere (data_tests
// when it shows none), and a column the file does not list yet is added to `columns:`. A bare test name that is
// already there leaves the text unchanged. An empty column means a test of the resource itself.
Result<std::string> add_data_test(std::string_view text, std::string_view file, const Resource& resource,
                                  std::string_view column, const Value& test);
// Removes a data test; when it was the only one, its `data_tests:`/`tests:` key goes too.
Result<std::string> remove_data_test(std::string_view text, std::string_view file, const Resource& resource,
                                     std::string_view column, std::string_view test);

}  // namespace cowork::fixes
