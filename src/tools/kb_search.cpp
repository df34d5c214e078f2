// kb_search: the team's business rules that match, with the rule ids they cite.
#include <cmath>
#include <regex>

#include "tools/support.hpp"

namespace cowork::tools {
namespace {

// Rule ids such as DQ-114 or PRIV-02, in order of first appearance.
std::vector<std::string> rule_ids(const std::string& heading, const std::string& text) {
  static const std::regex k_rule_id(R"(\b[A-Z]{2,5}-[0-9]{2,5}\b)");
  std::vector<std::string> ids;
  for (const std::string* part : {&heading, &text})
    for (auto it = std::sregex_iterator(part->begin(), part->end(), k_rule_id); it != std::sregex_iterator(); ++it)
      if (std::find(ids.begin(), ids.end(), it->str()) == ids.end()) ids.push_back(it->str());
  return ids;
}

Result<ToolOutput> run(ToolContext& context, const nlohmann::json& args) {
  const std::string query = string_arg(args, "query");
  const std::vector<std::string> boosts = string_list_arg(args, "boost");
  const auto limit = static_cast<std::size_t>(int_arg(args, "limit", 5));
  if (knowledge::make_query(query, boosts).empty())
    return make_error(ErrorCode::invalid_argument,
                      "nothing to search for in \"{}\": give words of the rule, names of models, columns or tests, or "
                      "values",
                      query);
  if (!context.knowledge) return make_error(ErrorCode::unavailable, "no knowledge base is configured");
  COWORK_ASSIGN_OR_RETURN(const knowledge::KnowledgeBase* kb, context.knowledge());
  const auto hits = kb->search(query, limit, boosts);
  nlohmann::json results = nlohmann::json::array();
  for (const knowledge::Hit& hit : hits)
    results.push_back({{"path", hit.chunk.path},
                       {"heading", hit.chunk.heading},
                       {"line", hit.chunk.line},
                       {"excerpt", hit.excerpt},
                       {"score", std::round(hit.score * 1000) / 1000},
                       {"rule_ids", rule_ids(hit.chunk.heading, hit.chunk.text)}});
  std::string summary;
  if (hits.empty()) {
    summary = fmt::format("no rule matches \"{}\" ({} in {})", query,
                          plural(static_cast<std::int64_t>(kb->chunks().size()), "section"), kb->folder().string());
  } else {
    const auto& best = results.front();
    const auto& ids = best["rule_ids"];
    summary = fmt::format("{}: best {}:{} \"{}\"{}", plural(static_cast<std::int64_t>(hits.size()), "rule"),
                          best["path"].get<std::string>(), best["line"].get<std::size_t>(),
                          best["heading"].get<std::string>(),
                          ids.empty() ? std::string() : " (" + ids.front().get<std::string>() + ")");
  }
  return ToolOutput{{{"results", std::move(results)}}, std::move(summary)};
}

}  // namespace

void register_kb_search(ToolRegistry& registry) {
  registry.add({
      "kb_search",
      "Searches the project's knowledge base of business rules (markdown under knowledge_base/) and returns the best "
      "sections with an excerpt and the rule ids they cite (DQ-114). Use it before choosing a fix: the team's rules "
      "decide whether a new value is mapped, rejected or accepted, and the fix should cite the rule. Put names from "
      "the incident (model, column, test, offending values such as 'Entire place') in boost.",
      object_schema({{"query", string_param("Words of the rule, names of models, columns or tests, values")},
                     {"boost", string_list_param("Names from the incident that should weigh more")},
                     {"limit", integer_param("Sections to return (default 5)", 1, 50)}},
                    {"query"}),
      run,
  });
}

}  // namespace cowork::tools
