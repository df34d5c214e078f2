// `cowork kb search "TEXT" [--kb DIR] [--limit N] [--boost TERM]... [--format text|json]`: searches the project's
// knowledge base of business rules the way an investigation does, so a team can check which rule a failure will cite
// before it happens. `kb` takes its verb as a CLI11 subcommand, so each verb has its own flags and --help and more
// verbs can follow.
#include <cmath>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "knowledge/knowledge_base.hpp"
#include "util/json_text.hpp"
#include "util/strings.hpp"

namespace cowork::cli {
namespace {

namespace fs = std::filesystem;

struct KbOptions {
  CommonOptions common;
  std::string query;
  std::string folder;  // --kb
  int limit = 5;
  std::vector<std::string> boosts;
};

// --kb (relative to the current folder), else cowork.yml's `knowledge_base`, else <project>/knowledge_base.
Result<knowledge::KnowledgeBase> load_knowledge_base(const KbOptions& options) {
  fs::path folder = options.folder;
  if (folder.empty()) {
    COWORK_ASSIGN_OR_RETURN(folder, knowledge::resolve_knowledge_base_dir(options.common.project_dir));
  }
  knowledge::LoadOptions load;
  load.project_dir = options.common.project_dir;
  return knowledge::KnowledgeBase::load(folder, load);
}

double rounded(double score) {
  return std::round(score * 1000) / 1000;
}

int run_search(const KbOptions& options) {
  if (knowledge::make_query(options.query, options.boosts).empty())
    return report_error(Error{ErrorCode::invalid_argument,
                              fmt::format("nothing to search for in \"{}\": give words of the rule, names of models, "
                                          "columns or tests, or values",
                                          options.query)});
  auto kb = load_knowledge_base(options);
  if (!kb) return report_error(kb.error());
  print_warnings(kb->warnings());
  const auto hits = kb->search(options.query, static_cast<std::size_t>(options.limit), options.boosts);

  if (options.common.format == "json") {
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    for (const knowledge::Hit& hit : hits)
      results.push_back(nlohmann::ordered_json{{"path", hit.chunk.path},
                                               {"line", hit.chunk.line},
                                               {"heading", hit.chunk.heading},
                                               {"excerpt", hit.excerpt},
                                               {"score", rounded(hit.score)}});
    const nlohmann::ordered_json out = {{"query", options.query}, {"results", std::move(results)}};
    std::cout << dump_json(out, 2) << '\n';
    return k_exit_ok;
  }

  Style style;
  if (hits.empty()) {
    std::cout << style.dim(fmt::format("no rule matches \"{}\" ({} section{} in {} file{} of {})", options.query,
                                       kb->chunks().size(), kb->chunks().size() == 1 ? "" : "s", kb->file_count(),
                                       kb->file_count() == 1 ? "" : "s", kb->folder().string()))
              << '\n';
    return k_exit_ok;
  }
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const knowledge::Hit& hit = hits[i];
    if (i > 0) std::cout << '\n';
    std::cout << style.bold(fmt::format("{:>2}", i + 1)) << "  " << style.dim(fmt::format("{:6.2f}", hit.score)) << "  "
              << style.magenta(fmt::format("{}:{}", hit.chunk.path, hit.chunk.line)) << "  "
              << style.bold(hit.chunk.heading) << '\n';
    std::cout << "              " << hit.excerpt << '\n';
  }
  return k_exit_ok;
}

}  // namespace

Runner setup_kb(CLI::App& app) {
  auto options = std::make_shared<KbOptions>();
  app.require_subcommand(1);
  app.footer(R"(The knowledge base is the team's business rules as markdown files: <project>/knowledge_base by default,
or the folder that `knowledge_base: docs/rules` in <project>/cowork.yml names. Each section (a `##` heading and
its text) is searched on its own; investigations cite the sections they rely on.

  cowork kb search "accepted_values room_type Entire place"
  cowork kb search "relationships fct_reviews listing_id" --limit 3 --format json
  cowork kb search "failing test" --boost src_listings --boost "Entire place"   as an investigation weighs names)");

  CLI::App* search = app.add_subcommand("search", "Find the rules that match some words, best first");
  search->add_option("query", options->query, "Words, model/column/test names or values; \"quoted words\" as a phrase")
      ->required();
  search->add_option("--kb", options->folder,
                     "The knowledge base folder (default: cowork.yml's knowledge_base, else <project>/knowledge_base)");
  search->add_option("--limit", options->limit, "How many sections to show (default: 5)")->check(CLI::Range(1, 1000));
  search->add_option("--boost", options->boosts,
                     "A name from the incident (model, column, test, offending value) that weighs 2.5x; repeatable");
  add_common_options(*search, options->common, {"text", "json"});
  search->footer(R"(Examples:
  cowork kb search "minimum_nights 0"
  cowork kb search "host_name renamed" --project-dir examples/airbnb
  cowork kb search "never filter" --kb docs/rules --format json

text: rank, score, path:line and heading of each section, then the sentences that match best.
json: {"query", "results": [{"path", "line", "heading", "excerpt", "score"}]}, best first; paths relative to the
project folder. Exit 0 (also when nothing matches), 2 when the knowledge base folder is missing.)");
  return [options, search]() -> int {
    if (search->parsed()) return run_search(*options);
    return k_exit_usage;
  };
}

}  // namespace cowork::cli
