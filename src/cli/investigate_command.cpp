// `cowork investigate ID`, `cowork dry-run FIX_ID`, `cowork apply FIX_ID [--git-branch NAME]`, `cowork revert APPLY_ID`:
// the investigation of an incident with live steps, and the safe path from a proposed fix to the project's files.
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "agent/llm/provider.hpp"
#include "agent/session.hpp"
#include "cli/command.hpp"
#include "cli/common.hpp"
#include "fixes/apply.hpp"
#include "store/store.hpp"
#include "util/json_text.hpp"

namespace cowork::cli {
namespace {

namespace fs = std::filesystem;

tools::ContextOptions context_options(const CommonOptions& common, const std::string& kb) {
  tools::ContextOptions out;
  out.project_dir = fs::absolute(common.project_dir).lexically_normal();
  out.profiles_dir = common.profiles_dir;
  out.target = common.target;
  out.target_path = common.target_path;
  out.knowledge_dir = kb;
  return out;
}

std::string actor() {
  for (const char* name : {"COWORK_USER", "USER"})
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return value;
  return "unknown";
}

// -- investigate -------------------------------------------------------------------------------------------------------

struct InvestigateOptions {
  CommonOptions common;
  std::string incident;
  std::string kb;
  std::string llm;    // empty: COWORK_LLM, else cowork.yml, else none
  std::string model;
  std::optional<double> llm_timeout;
  bool no_verify = false;
};

// Ctrl-C during an investigation stops the model (the playbook's report still comes out); a second one kills.
std::atomic<bool> g_cancel{false};
extern "C" void on_interrupt(int) {
  g_cancel.store(true);
  std::signal(SIGINT, SIG_DFL);
}

std::string status_badge(const Style& style, const std::string& status) {
  if (status == "verified") return style.green("verified");
  if (status == "failed") return style.red("failed");
  return style.yellow("unverified");
}

// Whether the last thing printed was streamed model text (without its final newline).
bool g_in_narrative = false;

void print_event(const Style& style, const store::Event& event) {
  if (event.kind == store::EventKind::token) {
    // The investigator's account streams as it is written; the other agents answer in JSON, which the report shows
    // digested (ndjson and the store keep every token).
    if (event.agent != "investigator") return;
    std::string text = event.summary;
    if (!g_in_narrative) std::cout << "  " << style.dim("| ");
    for (size_t at = 0; (at = text.find('\n', at)) != std::string::npos; at += 5) text.replace(at, 1, "\n  | ");
    std::cout << style.dim(text);
    g_in_narrative = true;
    return;
  }
  if (g_in_narrative) {
    std::cout << '\n';
    g_in_narrative = false;
  }
  if (event.kind == store::EventKind::phase) {
    std::cout << style.bold(fmt::format("{}", event.agent)) << style.dim(fmt::format(" {}", event.summary)) << '\n';
    return;
  }
  const std::string ms = event.duration_ms ? fmt::format("{:>6} ms", *event.duration_ms) : std::string(9, ' ');
  const std::string tool = fmt::format("{:<17}", event.tool);
  std::string summary = event.summary;
  if (summary.size() > 150) summary = summary.substr(0, 147) + "...";
  std::cout << "  " << style.dim(ms) << "  " << (event.kind == store::EventKind::error ? style.red(tool) : tool) << ' '
            << summary << '\n';
}

void print_report(const Style& style, const agent::Report& report) {
  const auto& root = report.diagnosis.root_cause;
  std::cout << '\n'
            << style.bold(fmt::format("Root cause ({}, {:.0f}% confident): ", root.category, root.confidence * 100))
            << root.summary << '\n';
  std::cout << style.dim(fmt::format("  at {}{}", root.node, root.column.empty() ? "" : " column " + root.column)) << '\n';
  if (!report.diagnosis.knowledge.empty()) {
    std::cout << style.bold("Rules: ");
    bool first = true;
    for (const auto& ref : report.diagnosis.knowledge) {
      std::cout << (first ? "" : "; ") << ref.id() << style.dim(fmt::format(" ({}:{})", ref.path, ref.line));
      first = false;
    }
    std::cout << '\n';
  }
  if (!report.diagnosis.downstream_models.empty() || !report.diagnosis.exposures.empty())
    std::cout << style.dim(fmt::format("Impact: {} downstream models, {} exposures",
                                       report.diagnosis.downstream_models.size(), report.diagnosis.exposures.size()))
              << '\n';
  std::cout << '\n' << style.bold("Fix options") << '\n';
  for (std::size_t i = 0; i < report.fixes.size(); ++i) {
    const auto& fix = report.fixes[i];
    std::cout << (fix.recommended ? style.green(" * ") : "   ") << i + 1 << ". " << style.bold(fix.title) << '\n';
    std::cout << "      " << style.dim(fix.id) << "  " << fix.category << ", " << fix.risk << " risk, "
              << status_badge(style, fix.verification.status);
    if (!fix.kb_refs.empty()) std::cout << ", cites " << fmt::format("{}", fmt::join(fix.kb_refs, ", "));
    if (fix.proposed_by != "playbook") std::cout << style.dim(fmt::format(", proposed by {}", fix.proposed_by));
    std::cout << '\n';
    if (fix.verification.status != "verified" && !fix.verification.detail.empty()) {
      std::string detail = fix.verification.detail;
      if (detail.size() > 200) detail = detail.substr(0, 197) + "...";
      std::cout << "      " << style.dim(detail) << '\n';
    }
  }
  const auto recommended = std::find_if(report.fixes.begin(), report.fixes.end(),
                                        [](const agent::FixOption& fix) { return fix.recommended; });
  if (recommended != report.fixes.end()) {
    std::cout << '\n'
              << "Recommended: " << style.bold(fmt::format("cowork apply {}", recommended->id))
              << style.dim(fmt::format("   (cowork dry-run {} verifies it again and shows the diff)", recommended->id))
              << '\n';
  } else {
    std::cout << '\n' << style.yellow("No fix could be proposed; the evidence above is what was found.") << '\n';
  }
  std::cout << style.dim(fmt::format("{} steps in {:.1f} s; investigation {}; engine {}", report.steps.size(),
                                     report.seconds, report.investigation_id, report.engine))
            << '\n';
  if (report.llm.is_object()) {
    const auto& llm = report.llm;
    std::cout << style.dim(fmt::format("model {}/{}: {}, {} turns, {} + {} tokens, {:.1f} s",
                                       llm.value("provider", ""), llm.value("model", ""), llm.value("status", ""),
                                       llm.value("turns", 0), llm.value("input_tokens", 0),
                                       llm.value("output_tokens", 0), llm.value("seconds", 0.0)))
              << '\n';
    if (llm.contains("notes"))
      for (const auto& note : llm["notes"]) std::cout << "  " << style.yellow(note.get<std::string>()) << '\n';
  }
}

int run_investigate(const InvestigateOptions& options) {
  agent::InvestigateRequest request;
  request.project = context_options(options.common, options.kb);
  request.incident_id = options.incident;
  request.verify = !options.no_verify;
  auto settings = llm::resolve({options.llm, options.model, options.llm_timeout}, request.project.project_dir);
  if (!settings) return report_error(settings.error());
  request.llm = *settings;
  request.cancel = &g_cancel;
  g_cancel.store(false);
  // Only while a model works: Ctrl-C then stops the model and the playbook's report still comes out. Before and
  // after (the playbook, the verification) Ctrl-C stops cowork as usual.
  const bool with_model = request.llm.has_value();
  Style style;
  const std::string& format = options.common.format;
  agent::InvestigateCallbacks callbacks;
  if (format == "text") {
    callbacks.on_event = [&](const store::Event& event) {
      print_event(style, event);
      std::cout.flush();
    };
  } else if (format == "ndjson") {
    callbacks.on_event = [&](const store::Event& event) {
      nlohmann::ordered_json line;
      line["type"] = "event";
      line["seq"] = event.seq;
      line["agent"] = event.agent;
      line["kind"] = std::string(store::to_string(event.kind));
      line["tool"] = event.tool;
      line["args"] = event.args_json.empty() ? nlohmann::ordered_json::object()
                                             : nlohmann::ordered_json::parse(event.args_json, nullptr, false);
      line["summary"] = event.summary;
      line["ms"] = event.duration_ms ? nlohmann::ordered_json(*event.duration_ms) : nullptr;
      if (!event.payload_json.empty())
        line["payload"] = nlohmann::ordered_json::parse(event.payload_json, nullptr, false);
      std::cout << dump_json(line) << '\n';
      std::cout.flush();
    };
  }
  callbacks.on_event = [&, print = callbacks.on_event](const store::Event& event) {
    if (with_model && event.kind == store::EventKind::phase) {
      if (event.agent == "model") std::signal(SIGINT, on_interrupt);
      else std::signal(SIGINT, SIG_DFL);
    }
    if (print) print(event);
  };
  auto report = agent::investigate(request, callbacks);
  std::signal(SIGINT, SIG_DFL);
  if (g_in_narrative) {
    std::cout << '\n';
    g_in_narrative = false;
  }
  if (!report) return report_error(report.error());
  if (format == "json") {
    std::cout << dump_json(agent::to_json(*report), 2) << '\n';
  } else if (format == "ndjson") {
    nlohmann::ordered_json line;
    line["type"] = "report";
    line["report"] = agent::to_json(*report);
    std::cout << dump_json(line) << '\n';
  } else {
    print_report(style, *report);
  }
  return k_exit_ok;
}

// -- dry-run / apply / revert --------------------------------------------------------------------------------------

struct FixCommandOptions {
  CommonOptions common;
  std::string id;
  std::string git_branch;
  bool force = false;
};

int run_dry_run(const FixCommandOptions& options) {
  auto result = agent::dry_run(context_options(options.common, {}), options.id);
  if (!result) return report_error(result.error());
  if (options.common.format == "json") {
    nlohmann::ordered_json out;
    out["fix_id"] = result->fix.id;
    out["title"] = result->fix.title;
    out["edits"] = nlohmann::ordered_json::array();
    for (const auto& edit : result->fix.edits) out["edits"].push_back({{"path", edit.path}, {"diff", edit.diff}});
    out["verification"] = agent::to_json(result->verification);
    std::cout << dump_json(out, 2) << '\n';
    return result->verification.status == "failed" ? k_exit_failures : k_exit_ok;
  }
  Style style;
  std::cout << style.bold(result->fix.title) << style.dim("  " + result->fix.id) << "\n\n";
  for (const auto& edit : result->fix.edits) std::cout << edit.diff << (edit.diff.ends_with('\n') ? "" : "\n");
  std::cout << '\n' << "Verification: " << status_badge(style, result->verification.status) << " "
            << style.dim(fmt::format("({:.1f} s)", result->verification.seconds)) << '\n';
  if (!result->verification.detail.empty()) std::cout << "  " << result->verification.detail << '\n';
  for (const auto& test : result->verification.tests)
    std::cout << "  " << fmt::format("{:<70} {} -> {}", test.unique_id, test.before, test.after) << '\n';
  if (result->verification.status != "failed")
    std::cout << '\n' << "Apply it: " << style.bold("cowork apply " + result->fix.id) << '\n';
  return result->verification.status == "failed" ? k_exit_failures : k_exit_ok;
}

int run_apply(const FixCommandOptions& options) {
  const fs::path project = fs::absolute(options.common.project_dir).lexically_normal();
  auto state = store::Store::open_project(project);
  if (!state) return report_error(state.error());
  auto fix = state->get_fix(options.id);
  if (!fix) return report_error(fix.error());
  auto incident = state->get_incident(fix->incident_id);
  std::vector<std::string> rules;
  if (auto detail = nlohmann::json::parse(fix->detail_json, nullptr, false); detail.is_object() && detail.contains("kb_refs"))
    for (const auto& ref : detail["kb_refs"]) rules.push_back(ref.get<std::string>());
  fixes::ApplyOptions apply;
  apply.project_dir = project;
  apply.git_branch = options.git_branch;
  apply.actor = actor();
  apply.commit_message = fmt::format("{}\n\nFixes incident {}{}.\n{}Proposed by dbt Co-Work ({}, {} risk).\n",
                                     fix->title, fix->incident_id,
                                     incident ? fmt::format(" ({})", incident->title) : std::string(),
                                     rules.empty() ? std::string() : fmt::format("Rules: {}.\n", fmt::join(rules, ", ")),
                                     fix->strategy, store::to_string(fix->risk));
  auto applied = fixes::apply_fix(*state, options.id, apply);
  if (!applied) return report_error(applied.error());
  if (options.common.format == "json") {
    nlohmann::ordered_json out;
    out["apply_id"] = applied->id;
    out["fix_id"] = applied->fix_id;
    out["git_branch"] = applied->git_branch;
    out["git_commit"] = applied->git_commit;
    out["files"] = nlohmann::ordered_json::array();
    for (const auto& file : applied->files) out["files"].push_back({{"path", file.path}, {"backup", file.backup_path}});
    std::cout << dump_json(out, 2) << '\n';
    return k_exit_ok;
  }
  Style style;
  std::cout << style.green("Applied ") << style.bold(fix->title) << style.dim("  " + applied->id) << '\n';
  for (const auto& file : applied->files)
    std::cout << "  " << file.path
              << style.dim(file.backup_path.empty() ? "  (new file)" : "  backup: " + file.backup_path) << '\n';
  if (!applied->git_branch.empty())
    std::cout << "  committed " << applied->git_commit.substr(0, 8) << " on branch " << applied->git_branch << '\n';
  std::cout << "Next: " << style.bold("cowork build") << " to see it green; "
            << style.bold("cowork revert " + applied->id) << " undoes it.\n";
  return k_exit_ok;
}

int run_revert(const FixCommandOptions& options) {
  const fs::path project = fs::absolute(options.common.project_dir).lexically_normal();
  auto state = store::Store::open_project(project);
  if (!state) return report_error(state.error());
  fixes::RevertOptions revert;
  revert.project_dir = project;
  revert.actor = actor();
  revert.force = options.force;
  auto reverted = fixes::revert_apply(*state, options.id, revert);
  if (!reverted) return report_error(reverted.error());
  if (options.common.format == "json") {
    std::cout << dump_json(nlohmann::ordered_json{{"apply_id", reverted->id}, {"reverted_at", reverted->reverted_at}}, 2)
              << '\n';
    return k_exit_ok;
  }
  Style style;
  std::cout << style.green("Reverted ") << reverted->id << '\n';
  for (const auto& file : reverted->files) std::cout << "  " << file.path << '\n';
  return k_exit_ok;
}

void add_project_flags(CLI::App& app, CommonOptions& common, std::vector<std::string> formats) {
  add_common_options(app, common, std::move(formats));
}

}  // namespace

Runner setup_investigate(CLI::App& app) {
  auto options = std::make_shared<InvestigateOptions>();
  app.add_option("INCIDENT_ID", options->incident, "The incident (an id from `cowork incidents`, or a unique prefix)")
      ->required();
  add_project_flags(app, options->common, {"text", "json", "ndjson"});
  app.add_flag("--no-verify", options->no_verify, "Propose fixes without dry-running them in the sandbox");
  app.add_option("--kb", options->kb, "Knowledge base folder (default: cowork.yml's knowledge_base, else knowledge_base/)");
  app.add_option("--llm", options->llm,
                 "Model to work with the playbook: none, openai, gemini, anthropic (default: $COWORK_LLM, else "
                 "cowork.yml's llm.provider, else none)")
      ->check(CLI::IsMember({"none", "openai", "gemini", "anthropic"}));
  app.add_option("--model", options->model,
                 "The model (default: $COWORK_LLM_MODEL, else cowork.yml's llm.model, else gpt-4o-mini / "
                 "gemini-2.0-flash / claude-sonnet-4-5)");
  app.add_option("--llm-timeout", options->llm_timeout,
                 "Seconds one model request may take (default: $COWORK_LLM_TIMEOUT, else 120)");
  app.footer(R"(Gathers evidence with the investigation tools (lineage, SQL, column profiles, failed rows, git history,
the knowledge base), names the root cause (data, code or config), proposes 3-5 fixes as patches and verifies each
in a sandbox: the patched models are built and the failing tests re-run without touching the real warehouse or
your files. Every step is stored in .cowork/state.db.

  cowork incidents                       find the incident id
  cowork investigate inc_3fa2            live steps, then the diagnosis and the options
  cowork investigate inc_3fa2 --format json    the report (DESIGN.md's shape)
  cowork investigate inc_3fa2 --format ndjson  the events as they happen, then the report
  cowork apply fix_...                   apply the recommended option

With a model (--llm), an investigator, a diagnostician and a fix proposer work the incident after the playbook,
through the same read-only tools; their options are verified like the playbook's. If the model fails, hangs or
answers nonsense, the playbook's report stands and the report's "llm" section says why. Ctrl-C stops the model.
  OPENAI_API_KEY, OPENAI_BASE_URL          OpenAI, or any compatible server (Ollama, vLLM, llama.cpp, LM Studio)
  GEMINI_API_KEY / GOOGLE_API_KEY, GOOGLE_GEMINI_BASE_URL
  ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL
  COWORK_LLM_MAX_STEPS (8 turns an agent), COWORK_LLM_MAX_TOKENS (200000), COWORK_LLM_MAX_SECONDS (300)
Keys are read from the environment only and never printed or stored.)");
  return [options] { return run_investigate(*options); };
}

Runner setup_dry_run(CLI::App& app) {
  auto options = std::make_shared<FixCommandOptions>();
  app.add_option("FIX_ID", options->id, "A fix option from `cowork investigate`")->required();
  add_project_flags(app, options->common, {"text", "json"});
  app.footer("Verifies the option again against the project as it is now and shows its diff. Exit 1 when it fails.");
  return [options] { return run_dry_run(*options); };
}

Runner setup_apply(CLI::App& app) {
  auto options = std::make_shared<FixCommandOptions>();
  app.add_option("FIX_ID", options->id, "A fix option from `cowork investigate`")->required();
  add_project_flags(app, options->common, {"text", "json"});
  app.add_option("--git-branch", options->git_branch,
                 "Create this branch and commit the change on it, with a message citing the incident and the rule");
  app.footer(R"(Writes the option's edits to the project's files, after backing up each one in .cowork/backups/.
Refused when a file changed since the fix was made (investigate again). `cowork revert APPLY_ID` undoes it.)");
  return [options] { return run_apply(*options); };
}

Runner setup_revert(CLI::App& app) {
  auto options = std::make_shared<FixCommandOptions>();
  app.add_option("APPLY_ID", options->id, "An apply from `cowork apply`")->required();
  add_project_flags(app, options->common, {"text", "json"});
  app.add_flag("--force", options->force, "Restore the backups even over files edited since the apply");
  return [options] { return run_revert(*options); };
}

}  // namespace cowork::cli
