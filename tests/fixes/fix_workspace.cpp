#include "fix_workspace.hpp"

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "util/md5.hpp"

namespace cowork::fixes::testing {

namespace fs = std::filesystem;

namespace {

void run_cowork(const std::vector<std::string>& args) {
  std::vector<std::string> argv{cowork::testing::cowork_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = cowork::testing::run_process(argv);
  if (result.exit_code != 0 && !(args[1] == "inject" && result.exit_code == 1))  // inject's build finds the fault
    throw std::runtime_error("cowork " + args[0] + " " + args[1] + " failed (" + std::to_string(result.exit_code) +
                             "): " + result.out + result.err);
}

}  // namespace

const fs::path& demo_workspace() {
  static const std::unique_ptr<cowork::testing::TempDir> dir = [] {
    auto made = std::make_unique<cowork::testing::TempDir>();
    const fs::path ws = made->path() / "ws";
    run_cowork({"demo", "init", ws.string(), "--force"});
    run_cowork({"demo", "inject", "new_room_type", "--project-dir", ws.string()});
    return made;
  }();
  static const fs::path ws = dir->path() / "ws";
  return ws;
}

fs::path copy_workspace(const cowork::testing::TempDir& into) {
  const fs::path to = into.path() / "ws";
  fs::copy(demo_workspace(), to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  return to;
}

std::string room_type_test_id(const fs::path& workspace) {
  const auto results = nlohmann::json::parse(read_bytes(workspace / "target" / "run_results.json"));
  for (const auto& result : results["results"]) {
    const std::string id = result["unique_id"];
    if (id.starts_with("test.airbnb.accepted_values_dim_listings_cleansed_room_type")) return id;
  }
  throw std::runtime_error("no accepted_values test of dim_listings_cleansed.room_type in " + workspace.string());
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_bytes(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file())
      files[entry.path().lexically_relative(dir).generic_string()] = md5_hex(read_bytes(entry.path()));
  return files;
}

}  // namespace cowork::fixes::testing
