#include "incidents/elementary_source.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <span>
#include <unordered_map>

#include "util/strings.hpp"

namespace cowork::incidents {
namespace {

using warehouse::Value;
using warehouse::Warehouse;

constexpr std::string_view k_results_table = "elementary_test_results";
constexpr std::string_view k_rows_table = "test_result_rows";

// The columns of elementary_test_results this reads, in the order of the latest-result query.
constexpr std::string_view k_result_columns[] = {
    "id",
    "test_unique_id",
    "model_unique_id",
    "invocation_id",
    "detected_at",
    "column_name",
    "test_type",
    "test_sub_type",
    "test_short_name",
    "severity",
    "status",
    "test_results_description",
    "test_results_query",
    "failures",
};
constexpr std::string_view k_row_columns[] = {"elementary_test_results_id", "result_row"};

std::string text_of(const Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return {};
  return warehouse::to_string(value);
}

std::optional<std::int64_t> int_of(const Value& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&value)) {
    std::int64_t out = 0;
    const auto [end, error] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (error == std::errc() && end == s->data() + s->size()) return out;
  }
  return std::nullopt;
}

// `text` as an SQL string literal.
std::string literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

bool digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return false;
  return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(at),
                     text.begin() + static_cast<std::ptrdiff_t>(at + count),
                     [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view text, std::size_t at, std::size_t count) {
  int out = 0;
  std::from_chars(text.data() + at, text.data() + at + count, out);
  return out;
}

// Microseconds since the epoch of an ISO-8601 or SQL timestamp ("2026-11-28 10:00:00", "2026-11-28T10:00:00.5Z",
// "...+02:00", "...+00"); nullopt for anything else. Elementary's detected_at and dbt's generated_at are compared
// through it, since their texts differ in separator, precision and zone.
std::optional<std::int64_t> micros_of(std::string_view text) {
  text = trim(text);
  if (!digits(text, 0, 4) || text.size() < 16 || text[4] != '-' || !digits(text, 5, 2) || text[7] != '-' ||
      !digits(text, 8, 2) || (text[10] != 'T' && text[10] != ' ') || !digits(text, 11, 2) || text[13] != ':' ||
      !digits(text, 14, 2))
    return std::nullopt;
  const std::chrono::year_month_day day{std::chrono::year(number(text, 0, 4)),
                                        std::chrono::month(static_cast<unsigned>(number(text, 5, 2))),
                                        std::chrono::day(static_cast<unsigned>(number(text, 8, 2)))};
  if (!day.ok()) return std::nullopt;
  std::int64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::sys_days(day).time_since_epoch()).count();
  micros += (static_cast<std::int64_t>(number(text, 11, 2)) * 3600 + number(text, 14, 2) * 60) * 1'000'000;
  std::size_t at = 16;
  if (at < text.size() && text[at] == ':') {
    if (!digits(text, at + 1, 2)) return std::nullopt;
    micros += static_cast<std::int64_t>(number(text, at + 1, 2)) * 1'000'000;
    at += 3;
    if (at < text.size() && text[at] == '.') {
      std::int64_t scale = 100'000;
      for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, scale /= 10)
        micros += (text[at] - '0') * scale;
    }
  }
  if (at == text.size() || text.substr(at) == "Z") return micros;
  if (text[at] != '+' && text[at] != '-') return std::nullopt;
  const int sign = text[at] == '+' ? 1 : -1;
  if (!digits(text, at + 1, 2)) return std::nullopt;
  int offset_minutes = number(text, at + 1, 2) * 60;
  std::string_view rest = text.substr(at + 3);
  if (rest.starts_with(':')) rest.remove_prefix(1);
  if (!rest.empty()) {
    if (rest.size() != 2 || !digits(rest, 0, 2)) return std::nullopt;
    offset_minutes += number(rest, 0, 2);
  }
  return micros - sign * static_cast<std::int64_t>(offset_minutes) * 60'000'000;
}

std::string iso_of_micros(std::int64_t micros) {
  using namespace std::chrono;
  const sys_time<microseconds> time{microseconds(micros)};
  const auto day = floor<days>(time);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> clock{time - day};
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                                clock.hours().count(), clock.minutes().count(), clock.seconds().count());
  // Always six digits, as dbt writes its timings, so that text order is time order among them.
  return out + fmt::format(".{:06}Z", clock.subseconds().count());
}

std::string table_name(Warehouse& warehouse, std::string_view schema, std::string_view table) {
  return warehouse.quote(schema) + "." + warehouse.quote(table);
}

// invalid_argument naming the first of `wanted` the table lacks.
Status check_columns(Warehouse& warehouse, std::string_view schema, std::string_view table,
                     std::span<const std::string_view> wanted, std::vector<warehouse::Column>& columns) {
  COWORK_ASSIGN_OR_RETURN(columns, warehouse.relation_columns(schema, table));
  for (std::string_view name : wanted) {
    const bool present = std::any_of(columns.begin(), columns.end(),
                                     [&](const warehouse::Column& column) { return iequals(column.name, name); });
    if (!present)
      return make_error(ErrorCode::invalid_argument,
                        "Elementary's table {}.{} in {} has no column '{}'; is it from an old version of the "
                        "Elementary package? Run `dbt run --select elementary` to upgrade its tables",
                        schema, table, warehouse.describe(), name);
  }
  return {};
}

bool has_column(const std::vector<warehouse::Column>& columns, std::string_view name) {
  return std::any_of(columns.begin(), columns.end(),
                     [&](const warehouse::Column& column) { return iequals(column.name, name); });
}

Status read_latest(Warehouse& warehouse, std::string_view schema, bool with_result_rows, ElementaryResults& out,
                   std::vector<std::string>& result_rows) {
  std::vector<std::string> columns;
  for (std::string_view name : k_result_columns) columns.push_back(warehouse.quote(name));
  if (with_result_rows) columns.push_back(warehouse.quote("result_rows"));
  const std::string list = join(columns, ", ");
  // The latest result of each test; ties (one invocation writing a test twice) go to the greatest id.
  const std::string sql = fmt::format(
      "select {0} from (select {0}, row_number() over (partition by {1} order by {2} desc, {3} desc) as cowork_rank "
      "from {4}) latest where cowork_rank = 1 order by {1}",
      list, warehouse.quote("test_unique_id"), warehouse.quote("detected_at"), warehouse.quote("id"),
      table_name(warehouse, schema, k_results_table));
  COWORK_ASSIGN_OR_RETURN(auto result, warehouse.query(sql, {.row_limit = -1, .timeout = std::chrono::seconds(60)}));
  for (const auto& row : result.rows) {
    ElementaryTest test;
    test.result_id = text_of(row[0]);
    test.unique_id = text_of(row[1]);
    if (test.unique_id.empty()) continue;
    test.model_unique_id = text_of(row[2]);
    test.invocation_id = text_of(row[3]);
    test.detected_at = elementary_time_to_iso(text_of(row[4]));
    test.column = text_of(row[5]);
    test.test_type = text_of(row[6]);
    test.test_sub_type = text_of(row[7]);
    test.short_name = text_of(row[8]);
    test.severity = text_of(row[9]);
    test.status = to_lower(text_of(row[10]));
    test.run_status = dbt::run_status_from_string(test.status);
    test.description = text_of(row[11]);
    test.test_results_query = text_of(row[12]);
    test.failures = int_of(row[13]);
    result_rows.push_back(with_result_rows ? text_of(row[14]) : std::string());
    out.tests.push_back(std::move(test));
  }
  return {};
}

Status read_history(Warehouse& warehouse, std::string_view schema, ElementaryResults& out) {
  const std::string table = table_name(warehouse, schema, k_results_table);
  const std::string test = warehouse.quote("test_unique_id");
  const std::string detected = warehouse.quote("detected_at");
  const std::string status = warehouse.quote("status");
  // Per test: how many results, the last pass, and the failing results after it (all of them when it never passed).
  const std::string sql = fmt::format(
      "with passes as (select {0} as test_id, max({1}) as passed_at from {3} where lower({2}) in ('pass', 'success') "
      "group by {0}) "
      "select t.{0}, count(*) as runs, max(p.passed_at) as last_passed_at, "
      "min(case when p.passed_at is null or t.{1} > p.passed_at then t.{1} end) as failing_since, "
      "sum(case when p.passed_at is null or t.{1} > p.passed_at then 1 else 0 end) as failing_runs "
      "from {3} t left join passes p on p.test_id = t.{0} group by t.{0}",
      test, detected, status, table);
  COWORK_ASSIGN_OR_RETURN(auto result, warehouse.query(sql, {.row_limit = -1, .timeout = std::chrono::seconds(60)}));
  std::unordered_map<std::string, ElementaryTest*> by_id;
  for (auto& t : out.tests) by_id.emplace(t.unique_id, &t);
  for (const auto& row : result.rows) {
    auto it = by_id.find(text_of(row[0]));
    if (it == by_id.end()) continue;
    ElementaryTest& t = *it->second;
    t.runs = int_of(row[1]).value_or(0);
    t.last_passed_at = elementary_time_to_iso(text_of(row[2]));
    if (t.failing()) {
      t.failing_since = elementary_time_to_iso(text_of(row[3]));
      t.failing_runs = int_of(row[4]).value_or(0);
    }
  }
  return {};
}

void add_sample(ElementaryTest& test, std::string_view text, std::size_t limit, std::vector<std::string>& warnings) {
  if (test.samples.size() >= limit) return;
  auto row = nlohmann::json::parse(text, nullptr, false);
  if (row.is_discarded()) {
    warnings.push_back(fmt::format("a failed-row sample of {} in Elementary's {} is not JSON; it is left out",
                                   test.unique_id, k_rows_table));
    return;
  }
  test.samples.push_back(std::move(row));
}

Status read_samples(Warehouse& warehouse, std::string_view schema, bool rows_table,
                    const std::vector<std::string>& result_rows, std::size_t limit, ElementaryResults& out) {
  if (limit == 0) return {};
  std::unordered_map<std::string, ElementaryTest*> by_result;
  std::vector<std::string> ids;
  for (auto& test : out.tests) {
    if (!test.failing() || test.result_id.empty()) continue;
    by_result.emplace(test.result_id, &test);
    ids.push_back(test.result_id);
  }
  if (rows_table) {
    const std::string id_column = warehouse.quote("elementary_test_results_id");
    const std::string row_column = warehouse.quote("result_row");
    constexpr std::size_t k_batch = 200;
    for (std::size_t start = 0; start < ids.size(); start += k_batch) {
      std::vector<std::string> literals;
      for (std::size_t i = start; i < std::min(ids.size(), start + k_batch); ++i) literals.push_back(literal(ids[i]));
      const std::string sql = fmt::format(
          "select {0}, {1} from (select {0}, {1}, row_number() over (partition by {0} order by {1}) as cowork_rank "
          "from {2} where {0} in ({3})) sampled where cowork_rank <= {4}",
          id_column, row_column, table_name(warehouse, schema, k_rows_table), join(literals, ", "), limit);
      COWORK_ASSIGN_OR_RETURN(auto result,
                              warehouse.query(sql, {.row_limit = -1, .timeout = std::chrono::seconds(60)}));
      for (const auto& row : result.rows)
        if (auto it = by_result.find(text_of(row[0])); it != by_result.end())
          add_sample(*it->second, text_of(row[1]), limit, out.warnings);
    }
  }
  // Older versions of the package keep the samples in elementary_test_results.result_rows (a JSON array) only.
  for (std::size_t i = 0; i < out.tests.size(); ++i) {
    ElementaryTest& test = out.tests[i];
    if (!test.failing() || !test.samples.empty() || result_rows[i].empty()) continue;
    auto rows = nlohmann::json::parse(result_rows[i], nullptr, false);
    if (!rows.is_array()) {
      out.warnings.push_back(fmt::format("result_rows of {} in Elementary's {} is not a JSON array; it is left out",
                                         test.unique_id, k_results_table));
      continue;
    }
    for (auto& row : rows) {
      if (test.samples.size() >= limit) break;
      test.samples.push_back(std::move(row));
    }
  }
  return {};
}

bool newer_than(const std::string& detected_at, const std::string& generated_at) {
  const auto detected = micros_of(detected_at);
  const auto generated = micros_of(generated_at);
  return detected && generated && *detected > *generated;
}

// Whether the test's latest result is news to the artifacts: there are none, or it comes from another invocation
// that ran after run_results.json was written.
bool newer_than_artifacts(const ElementaryTest& test, const dbt::ArtifactSet& artifacts) {
  if (!artifacts.run_results) return true;
  const auto& metadata = artifacts.run_results->metadata;
  if (!test.invocation_id.empty() && test.invocation_id == metadata.invocation_id) return false;
  return newer_than(test.detected_at, metadata.generated_at);
}

std::string name_of(const std::string& unique_id) {
  const auto parts = split(unique_id, '.');
  return parts.size() >= 3 ? std::string(parts[2]) : unique_id.substr(unique_id.rfind('.') + 1);
}

}  // namespace

std::string elementary_time_to_iso(std::string_view text) {
  if (auto micros = micros_of(text)) return iso_of_micros(*micros);
  return std::string(text);
}

const ElementaryTest* ElementaryResults::find(std::string_view unique_id) const {
  auto it = std::lower_bound(tests.begin(), tests.end(), unique_id,
                             [](const ElementaryTest& test, std::string_view id) { return test.unique_id < id; });
  return it != tests.end() && it->unique_id == unique_id ? &*it : nullptr;
}

ElementaryDetail ElementaryTest::detail() const {
  ElementaryDetail detail;
  detail.detected_at = detected_at;
  detail.status = status;
  detail.failing_since = failing_since;
  detail.failing_runs = failing_runs;
  detail.runs = runs;
  detail.last_passed_at = last_passed_at;
  detail.test_results_query = test_results_query;
  detail.test_type = test_type;
  detail.test_sub_type = test_sub_type;
  detail.samples = samples;
  return detail;
}

Failure ElementaryTest::to_failure() const {
  Failure failure;
  failure.unique_id = unique_id;
  failure.name = name_of(unique_id);
  failure.resource_type = "test";
  failure.status = run_status;
  failure.failures = failures;
  failure.message = !description.empty() ? description
                    : failures           ? fmt::format("{} failing row(s)", *failures)
                                         : fmt::format("{} in Elementary's results", status);
  failure.test_name = short_name;
  failure.column = column;
  failure.subject = model_unique_id.empty() ? unique_id : model_unique_id;
  for (char c : severity) failure.severity += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  failure.origin = "elementary";
  failure.started_at = detected_at;
  failure.completed_at = detected_at;
  failure.elementary = detail();
  return failure;
}

Result<ElementaryResults> read_elementary(Warehouse& warehouse, std::string_view schema,
                                          const ElementaryOptions& options) {
  ElementaryResults out;
  out.schema = std::string(schema);
  out.source = warehouse.describe();
  auto context = [&](Error error) {
    error.with_context(fmt::format("reading Elementary's tables in {} on {}", schema, out.source));
    return std::unexpected(std::move(error));
  };
  auto exists = warehouse.relation_exists(schema, k_results_table);
  if (!exists) return context(exists.error());
  if (!*exists) return out;
  out.present = true;

  std::vector<warehouse::Column> result_columns, row_columns;
  COWORK_TRY(check_columns(warehouse, schema, k_results_table, k_result_columns, result_columns));
  auto rows_exist = warehouse.relation_exists(schema, k_rows_table);
  if (!rows_exist) return context(rows_exist.error());
  if (*rows_exist) COWORK_TRY(check_columns(warehouse, schema, k_rows_table, k_row_columns, row_columns));

  std::vector<std::string> result_rows;
  if (auto read = read_latest(warehouse, schema, has_column(result_columns, "result_rows"), out, result_rows); !read)
    return context(read.error());
  if (auto read = read_history(warehouse, schema, out); !read) return context(read.error());
  if (auto read = read_samples(warehouse, schema, *rows_exist, result_rows, options.sample_limit, out); !read)
    return context(read.error());
  for (const auto& test : out.tests) {
    const auto current = micros_of(out.latest_detected_at);
    const auto candidate = micros_of(test.detected_at);
    if (candidate && (!current || *candidate > *current)) out.latest_detected_at = test.detected_at;
  }
  return out;
}

void merge_elementary(IncidentReport& report, const ElementaryResults& elementary, const dbt::ArtifactSet& artifacts) {
  if (!elementary.present) return;
  report.elementary_schema = elementary.schema;
  report.elementary_tests = elementary.tests.size();
  report.warnings.insert(report.warnings.end(), elementary.warnings.begin(), elementary.warnings.end());

  std::unordered_set<std::string> in_report;
  for (const auto& incident : report.incidents)
    for (const auto& failure : incident.failures) in_report.insert(failure.unique_id);
  std::unordered_set<std::string> in_run;
  if (artifacts.run_results)
    for (const auto& result : artifacts.run_results->results) in_run.insert(result.unique_id);

  std::vector<Failure> extra;
  std::vector<std::string> passed_since;
  for (const auto& test : elementary.tests) {
    const bool newer = newer_than_artifacts(test, artifacts);
    if (!test.failing()) {
      if (newer && in_report.contains(test.unique_id)) passed_since.push_back(test.unique_id);
      continue;
    }
    if (in_report.contains(test.unique_id)) continue;                         // enriched below
    if (artifacts.graph && !artifacts.graph->find(test.unique_id)) continue;  // no longer in the project
    // The artifacts ran the test more recently than Elementary saw it fail: theirs is the current result.
    if (in_run.contains(test.unique_id) && !newer) continue;
    extra.push_back(test.to_failure());
  }
  if (!passed_since.empty())
    report.warnings.push_back(fmt::format(
        "Elementary's tables in {} have newer passing results for {} test(s) that fail in {}: {}; run `cowork "
        "incidents` on the artifacts of the latest run",
        elementary.schema, passed_since.size(),
        report.run_results_path.empty() ? std::string("run_results.json") : report.run_results_path,
        join(passed_since, ", ")));

  report.elementary_added = extra.size();
  if (!extra.empty()) {
    // Regrouped with the artifacts' failures: an Elementary-only failure may join (or root) an incident of theirs.
    std::vector<std::string> warnings = std::move(report.warnings);
    report = build_incidents(artifacts, std::move(extra));
    report.warnings = std::move(warnings);
    report.elementary_schema = elementary.schema;
    report.elementary_tests = elementary.tests.size();
  }
  std::size_t added = 0, enriched = 0;
  for (auto& incident : report.incidents) {
    for (auto& failure : incident.failures) {
      if (failure.elementary) {
        ++added;
      } else if (const ElementaryTest* test = elementary.find(failure.unique_id); test && test->failing()) {
        failure.elementary = test->detail();
        ++enriched;
      } else {
        continue;
      }
      const std::string& since = failure.elementary->failing_since;
      if (!since.empty() && (incident.first_seen.empty() || since < incident.first_seen)) incident.first_seen = since;
    }
  }
  report.elementary_added = added;
  report.elementary_enriched = enriched;
  if (report.generated_at.empty()) report.generated_at = elementary.latest_detected_at;
}

std::unordered_set<std::string> executed_nodes(const dbt::ArtifactSet& artifacts, const ElementaryResults* elementary) {
  std::unordered_set<std::string> executed;
  if (artifacts.run_results)
    for (const auto& result : artifacts.run_results->results)
      if (result.status != dbt::RunStatus::skipped) executed.insert(result.unique_id);
  if (artifacts.freshness)
    for (const auto& result : artifacts.freshness->results) executed.insert(result.unique_id);
  if (elementary != nullptr && elementary->present)
    for (const auto& test : elementary->tests)
      if (newer_than_artifacts(test, artifacts)) executed.insert(test.unique_id);
  return executed;
}

}  // namespace cowork::incidents
