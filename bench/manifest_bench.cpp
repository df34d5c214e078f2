// Loading a large manifest: simdjson's bare DOM parse of the file (the floor for any reader that validates the whole
// document), against cowork's load (parse + keep what the tools need), the graph build on top, and incidents from a
// manifest plus run_results. The manifest comes from $COWORK_BENCH_DIR (manifest.json and run_results.json), which
// bench/run.sh fills with bench/tools/scale_manifest.py.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <simdjson.h>

#include "dbt/artifacts.hpp"
#include "dbt/graph.hpp"
#include "dbt/manifest.hpp"
#include "incidents/incident.hpp"

namespace {

std::filesystem::path bench_dir() {
  const char* dir = std::getenv("COWORK_BENCH_DIR");
  return dir != nullptr ? dir : "bench/data/large";
}

void BM_SimdjsonDomParse(benchmark::State& state) {
  const auto path = (bench_dir() / "manifest.json").string();
  simdjson::dom::parser parser;
  for (auto _ : state) {
    auto json = simdjson::padded_string::load(path);
    if (json.error()) {
      state.SkipWithError("cannot read the manifest");
      return;
    }
    simdjson::dom::element root;
    if (parser.parse(json.value()).get(root)) {
      state.SkipWithError("parse failed");
      return;
    }
    benchmark::DoNotOptimize(root);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(std::filesystem::file_size(path)));
}

void BM_CoworkLoadManifest(benchmark::State& state) {
  const auto path = bench_dir() / "manifest.json";
  for (auto _ : state) {
    auto manifest = cowork::dbt::load_manifest(path);
    if (!manifest) {
      state.SkipWithError(manifest.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(manifest->nodes.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(std::filesystem::file_size(path)));
}

void BM_CoworkLoadManifestAndBuildGraph(benchmark::State& state) {
  const auto path = bench_dir() / "manifest.json";
  for (auto _ : state) {
    auto manifest = cowork::dbt::load_manifest(path);
    if (!manifest) {
      state.SkipWithError(manifest.error().message.c_str());
      return;
    }
    auto graph = cowork::dbt::Graph::build(std::make_shared<const cowork::dbt::Manifest>(std::move(*manifest)));
    benchmark::DoNotOptimize(graph.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(std::filesystem::file_size(path)));
}

void BM_CoworkIncidents(benchmark::State& state) {
  cowork::dbt::ArtifactRequest request;
  request.run_results = cowork::dbt::Need::required;
  for (auto _ : state) {
    auto artifacts = cowork::dbt::load_artifacts(bench_dir(), request);
    if (!artifacts) {
      state.SkipWithError(artifacts.error().message.c_str());
      return;
    }
    auto report = cowork::incidents::build_incidents(*artifacts);
    benchmark::DoNotOptimize(report.incidents.size());
  }
}

BENCHMARK(BM_SimdjsonDomParse)->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_CoworkLoadManifest)->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_CoworkLoadManifestAndBuildGraph)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_CoworkIncidents)->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
