// Does one load in a fresh process so that /usr/bin/time's maximum resident set size is that load's peak memory.
//   cowork_bench_once dom FILE         simdjson's bare DOM parse
//   cowork_bench_once graph FILE       cowork's manifest load + graph build
//   cowork_bench_once incidents DIR    manifest + run_results + incidents
#include <cstring>
#include <iostream>

#include <simdjson.h>

#include "dbt/artifacts.hpp"
#include "incidents/incident.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: cowork_bench_once dom|graph|incidents PATH\n";
    return 2;
  }
  const std::string mode = argv[1];
  if (mode == "dom") {
    simdjson::dom::parser parser;
    auto json = simdjson::padded_string::load(argv[2]);
    simdjson::dom::element root;
    if (json.error() || parser.parse(json.value()).get(root)) return 1;
    std::cout << "ok\n";
    return 0;
  }
  if (mode == "graph") {
    auto manifest = cowork::dbt::load_manifest(argv[2]);
    if (!manifest) {
      std::cerr << manifest.error().message << '\n';
      return 1;
    }
    auto graph = cowork::dbt::Graph::build(std::make_shared<const cowork::dbt::Manifest>(std::move(*manifest)));
    std::cout << graph.size() << " nodes\n";
    return 0;
  }
  if (mode == "incidents") {
    cowork::dbt::ArtifactRequest request;
    request.run_results = cowork::dbt::Need::required;
    auto artifacts = cowork::dbt::load_artifacts(argv[2], request);
    if (!artifacts) {
      std::cerr << artifacts.error().message << '\n';
      return 1;
    }
    std::cout << cowork::incidents::build_incidents(*artifacts).incidents.size() << " incidents\n";
    return 0;
  }
  std::cerr << "unknown mode " << mode << '\n';
  return 2;
}
