// failed_rows: the rows a failing test returns, read from the warehouse.
#include "tools/support.hpp"
#include "util/strings.hpp"

namespace cowork::tools {
namespace {

// The statement without the whitespace and `;` that end it, so it can be nested in a count.
std::string_view statement_body(std::string_view sql) {
  sql = trim(sql);
  while (!sql.empty() && sql.back() == ';') sql = trim(sql.substr(0, sql.size() - 1));
  return sql;
}

Result<ToolOutput> run(ToolContext& context, const nlohmann::json& args) {
  COWORK_ASSIGN_OR_RETURN(const dbt::Node* node, context.find_node(string_arg(args, "test")));
  if (node->resource_type != dbt::ResourceType::test)
    return make_error(ErrorCode::invalid_argument,
                      "{} is a {}, not a test: failed_rows runs a test's query (use run_sql or column_profile to look "
                      "at a model's data)",
                      node->unique_id, dbt::to_string(node->resource_type));
  const std::int64_t limit = int_arg(args, "limit", 10);
  COWORK_ASSIGN_OR_RETURN(const std::string sql, compiled_sql(context, *node));
  auto rows = run_guarded(context, sql, limit);
  if (!rows) {
    rows.error().with_context(fmt::format("running the SQL of {}", node->name));
    return std::unexpected(rows.error());
  }
  // The count is the number dbt reports as failures for a test that returns rows.
  const std::string count_sql =
      fmt::format("select count(*) as failures from (\n{}\n) as cowork_failures", statement_body(sql));
  COWORK_ASSIGN_OR_RETURN(const warehouse::QueryResult counted, run_guarded(context, count_sql, 1));
  std::int64_t count = static_cast<std::int64_t>(rows->rows.size());
  if (!counted.rows.empty() && !counted.rows[0].empty())
    if (const auto* n = std::get_if<std::int64_t>(&counted.rows[0][0])) count = *n;

  std::string sample;
  if (!rows->rows.empty()) {
    std::vector<std::string> cells;
    for (std::size_t c = 0; c < rows->rows[0].size() && c < 4; ++c)
      cells.push_back(
          fmt::format("{}={}", rows->columns[c].name, one_line(warehouse::to_string(rows->rows[0][c]), 40)));
    sample = fmt::format("; first: {}", join(cells, ", "));
  }
  std::string summary = fmt::format("{}: {} returned{}", node->name, plural(count, "failing row"), sample);
  return ToolOutput{{{"columns", columns_json(rows->columns)},
                     {"rows", rows_json(rows->rows)},
                     {"count", count},
                     {"truncated", rows->truncated}},
                    std::move(summary)};
}

}  // namespace

void register_failed_rows(ToolRegistry& registry) {
  registry.add({
      "failed_rows",
      "Runs a test's compiled SQL read-only on the warehouse and returns the rows that make it fail (for "
      "accepted_values: each unexpected value and its count; for unique: each duplicated key; for not_null: the rows "
      "with the null), with the total count. Use it to see the actual bad data behind a failing test.",
      object_schema({{"test", string_param("The failing test, by name or unique id")},
                     {"limit", integer_param("Rows to return (default 10)", 1, 1000)}},
                    {"test"}),
      run,
  });
}

}  // namespace cowork::tools
