// run_sql: one read-only query on the project's warehouse, as `cowork sql` runs it.
#include "tools/support.hpp"
#include "util/strings.hpp"

namespace cowork::tools {
namespace {

Result<ToolOutput> run(ToolContext& context, const nlohmann::json& args) {
  const std::string sql = string_arg(args, "sql");
  const std::int64_t limit = int_arg(args, "limit", context.row_limit);
  COWORK_ASSIGN_OR_RETURN(const warehouse::QueryResult result, run_guarded(context, sql, limit));
  std::string summary = fmt::format("{}{} of {}", plural(static_cast<std::int64_t>(result.rows.size()), "row"),
                                    result.truncated ? " (more not shown)" : "", one_line(sql, 80));
  return ToolOutput{
      {{"columns", columns_json(result.columns)}, {"rows", rows_json(result.rows)}, {"truncated", result.truncated}},
      std::move(summary)};
}

}  // namespace

void register_run_sql(ToolRegistry& registry) {
  registry.add({
      "run_sql",
      "Runs one read-only query (SELECT, WITH ... SELECT, VALUES, DESCRIBE, SHOW, EXPLAIN) on the project's "
      "warehouse through a read-only connection and returns its rows. Anything that writes, reads files or changes "
      "the session is refused with the reason. Use it for questions the other tools do not answer: when a bad value "
      "first arrived, which rows share a key. Name relations as the models' relation names (database.schema.name).",
      object_schema({{"sql", string_param("One read-only statement")},
                     {"limit", integer_param("Rows to return (default 100)", 1, 1000)}},
                    {"sql"}),
      run,
  });
}

}  // namespace cowork::tools
