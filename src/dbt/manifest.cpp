#include "dbt/manifest.hpp"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <thread>

#include "util/files.hpp"
#include "util/json_reader.hpp"
#include "util/strings.hpp"

namespace cowork::dbt {
namespace {

using json::JsonReader;
using json::Value;

// "project://models/schema.yml" -> "models/schema.yml"
std::string_view strip_patch_prefix(std::string_view patch_path) {
  const auto scheme = patch_path.find("://");
  return scheme == std::string_view::npos ? patch_path : patch_path.substr(scheme + 3);
}

void merge_meta(nlohmann::json& into, nlohmann::json&& from) {
  if (!from.is_object() || from.empty()) return;
  if (!into.is_object()) into = nlohmann::json::object();
  for (auto& [key, value] : from.items()) into[key] = std::move(value);
}

class ManifestParser {
 public:
  ManifestParser(JsonReader& reader, Manifest& manifest, const ManifestOptions& options)
      : m_reader(reader), m_manifest(manifest), m_options(options) {}

  // Reads a whole manifest document.
  Status parse() {
    bool saw_metadata = false;
    COWORK_TRY(parse_sections(saw_metadata));
    return check_metadata(ArtifactKind::manifest, m_reader.label(), saw_metadata, m_manifest.metadata,
                          m_manifest.warnings);
  }

  // Reads the top-level sections of a document (a whole manifest, or a piece of one); `saw_metadata` is set when
  // one of them is the metadata.
  Status parse_sections(bool& saw_metadata) {
    return m_reader.for_each_root_field([&](std::string_view key, Value& value) -> Status {
      if (key == "metadata") {
        saw_metadata = true;
        return read_metadata(m_reader, value, m_manifest.metadata);
      }
      if (key == "nodes") return parse_node_map(value, ResourceType::other);
      if (key == "sources") return parse_node_map(value, ResourceType::source);
      if (key == "exposures") return parse_node_map(value, ResourceType::exposure);
      if (key == "metrics") return parse_node_map(value, ResourceType::metric);
      if (key == "semantic_models") return parse_node_map(value, ResourceType::semantic_model);
      if (key == "saved_queries") return parse_node_map(value, ResourceType::saved_query);
      if (key == "unit_tests") return parse_node_map(value, ResourceType::unit_test);
      if (key == "functions") return parse_node_map(value, ResourceType::function);
      if (key == "macros" && m_options.keep_macros) return parse_macros(value);
      if (key == "parent_map" && m_options.read_parent_map) return parse_parent_map(value);
      if (key == "disabled") return parse_disabled(value);
      return {};  // docs, selectors, child_map, groups...: not needed
    });
  }

  // Reads a document whose root object is a run of `nodes` entries (a piece of the nodes section).
  Status parse_node_entries() {
    return m_reader.for_each_root_field([&](std::string_view key, Value& node_value) -> Status {
      return parse_node_entry(key, node_value, ResourceType::other);
    });
  }

 private:
  Status parse_node_map(Value& value, ResourceType default_type) {
    return m_reader.for_each_field(value, [&](std::string_view key, Value& node_value) -> Status {
      return parse_node_entry(key, node_value, default_type);
    });
  }

  Status parse_node_entry(std::string_view key, Value& node_value, ResourceType default_type) {
    Node node;
    node.resource_type = default_type;
    COWORK_TRY(parse_node(node_value, node));
    if (node.unique_id.empty()) node.unique_id = key;
    if (node.resource_type == ResourceType::other && node.resource_type_text.empty())
      node.resource_type = resource_type_from_unique_id(node.unique_id);
    finish_node(node);
    m_manifest.nodes.push_back(std::move(node));
    return {};
  }

  // Fills what older or Fusion manifests leave out, so readers see one shape.
  void finish_node(Node& node) {
    if (node.name.empty()) {
      const auto dot = node.unique_id.rfind('.');
      node.name = node.unique_id.substr(dot == std::string_view::npos ? 0 : dot + 1);
    }
    if (node.resource_type == ResourceType::test || node.resource_type == ResourceType::unit_test) {
      if (!node.test) node.test.emplace();
      TestInfo& test = *node.test;
      if (test.column_name.empty() && test.kwargs.is_object()) {
        auto it = test.kwargs.find("column_name");
        if (it != test.kwargs.end() && it->is_string())
          test.column_name = arena().store(it->get_ref<const std::string&>());
      }
      test.severity = iequals(test.severity, "warn") ? "WARN" : "ERROR";
      if (test.warn_if.empty()) test.warn_if = "!= 0";
      if (test.error_if.empty()) test.error_if = "!= 0";
    } else {
      node.test.reset();
    }
  }

  Status parse_node(Value& value, Node& node) {
    return m_reader.for_each_field(
        value,
        [&](std::string_view key, Value& field) -> Status {
          switch (key.empty() ? '\0' : key[0]) {
            case 'a':
              if (key == "alias") return m_reader.read_text(field, node.alias);
              if (key == "attached_node") return m_reader.read_text(field, test_of(node).attached_node);
              break;
            case 'c':
              if (key == "config") return parse_config(field, node);
              if (key == "columns") return parse_columns(field, node);
              if (key == "column_name") return m_reader.read_text(field, test_of(node).column_name);
              if (key == "compiled_code" || key == "compiled_sql") return read_lazy(field, node.compiled_code);
              break;
            case 'd':
              if (key == "depends_on") return parse_depends_on(field, node);
              if (key == "description") return m_reader.read_text(field, node.description);
              if (key == "database") return m_reader.read_text(field, node.database);
              break;
            case 'f':
              if (key == "fqn") return m_reader.read_text_list(field, node.fqn);
              break;
            case 'i':
              if (key == "identifier") return m_reader.read_text(field, node.identifier);
              break;
            case 'l':
              if (key == "language") return m_reader.read_text(field, node.language);
              if (key == "loaded_at_field") return m_reader.read_text(field, node.loaded_at_field);
              if (key == "label") return m_reader.read_text(field, node.label);
              break;
            case 'm':
              if (key == "meta") return read_meta(field, node);
              if (key == "maturity") return m_reader.read_text(field, node.maturity);
              break;
            case 'n':
              if (key == "name") return m_reader.read_text(field, node.name);
              break;
            case 'o':
              if (key == "original_file_path") return m_reader.read_text(field, node.original_file_path);
              if (key == "owner") return parse_owner(field, node);
              break;
            case 'p':
              if (key == "path") return m_reader.read_text(field, node.path);
              if (key == "package_name") return m_reader.read_text(field, node.package_name);
              if (key == "patch_path") {
                std::string_view patch;
                COWORK_TRY(m_reader.read_text(field, patch));
                node.patch_path = strip_patch_prefix(patch);
                return {};
              }
              break;
            case 'r':
              if (key == "resource_type") {
                COWORK_TRY(m_reader.read_text(field, node.resource_type_text));
                if (!node.resource_type_text.empty())
                  node.resource_type = resource_type_from_string(node.resource_type_text);
                return {};
              }
              if (key == "raw_code" || key == "raw_sql") return read_lazy(field, node.raw_code);
              if (key == "relation_name") return m_reader.read_text(field, node.relation_name);
              break;
            case 's':
              if (key == "schema") return m_reader.read_text(field, node.schema);
              if (key == "source_name") return m_reader.read_text(field, node.source_name);
              break;
            case 't':
              if (key == "tags") return read_tags(field, node.tags);
              if (key == "test_metadata") return parse_test_metadata(field, node);
              if (key == "type") return m_reader.read_text(field, node.exposure_type);
              break;
            case 'u':
              if (key == "unique_id") return m_reader.read_text(field, node.unique_id);
              if (key == "url") return m_reader.read_text(field, node.url);
              break;
            default:
              break;
          }
          return {};
        },
        /*null_ok=*/false);
  }

  static TestInfo& test_of(Node& node) {
    if (!node.test) node.test.emplace();
    return *node.test;
  }

  StringArena& arena() { return *m_manifest.arena; }

  Status read_lazy(Value& value, LazyText& out) {
    COWORK_ASSIGN_OR_RETURN(out, m_reader.get_lazy_text(value));
    return {};
  }

  // Tags are a list, but some writers put a single string.
  Status read_tags(Value& value, std::vector<std::string_view>& out) {
    simdjson::ondemand::json_type type;
    if (auto code = value.type().get(type)) return m_reader.from_simdjson(code);
    if (type == simdjson::ondemand::json_type::string) {
      std::string_view tag;
      COWORK_TRY(m_reader.read_text(value, tag));
      out.push_back(tag);
      return {};
    }
    std::vector<std::string_view> tags;
    COWORK_TRY(m_reader.read_text_list(value, tags));
    for (auto& tag : tags)
      if (std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(std::move(tag));
    return {};
  }

  Status read_meta(Value& value, Node& node) {
    COWORK_ASSIGN_OR_RETURN(auto meta, m_reader.get_json(value));
    if (!meta.is_null() && !meta.is_object())
      return m_reader.error_here("expected an object, found " + std::string(meta.type_name()));
    merge_meta(node.meta, std::move(meta));
    return {};
  }

  Status parse_owner(Value& value, Node& node) {
    std::string_view name, email;
    COWORK_TRY(m_reader.for_each_field(value, [&](std::string_view key, Value& field) -> Status {
      if (key == "name") return m_reader.read_text(field, name);
      if (key == "email") {
        // dbt 1.9+ allows a list of emails.
        simdjson::ondemand::json_type type;
        if (auto code = field.type().get(type)) return m_reader.from_simdjson(code);
        if (type == simdjson::ondemand::json_type::array) {
          std::vector<std::string_view> emails;
          COWORK_TRY(m_reader.read_text_list(field, emails));
          std::string joined;
          for (auto e : emails) joined += (joined.empty() ? "" : ", ") + std::string(e);
          email = arena().store(joined);
          return {};
        }
        return m_reader.read_text(field, email);
      }
      return {};
    }));
    node.owner = !name.empty() ? name : email;
    return {};
  }

  Status parse_config(Value& value, Node& node) {
    return m_reader.for_each_field(value, [&](std::string_view key, Value& field) -> Status {
      if (key == "materialized") return m_reader.read_text(field, node.materialized);
      if (key == "enabled") {
        COWORK_ASSIGN_OR_RETURN(auto enabled, m_reader.get_optional_bool(field));
        if (enabled) node.enabled = *enabled;
        return {};
      }
      if (key == "meta") return read_meta(field, node);
      if (key == "tags") return read_tags(field, node.tags);
      if (key == "severity") return m_reader.read_text(field, test_of_if_test(node).severity);
      if (key == "where") return m_reader.read_text(field, test_of_if_test(node).where);
      if (key == "warn_if") return m_reader.read_text(field, test_of_if_test(node).warn_if);
      if (key == "error_if") return m_reader.read_text(field, test_of_if_test(node).error_if);
      if (key == "limit") {
        COWORK_ASSIGN_OR_RETURN(auto limit, m_reader.get_optional_int(field));
        test_of_if_test(node).limit = limit;
        return {};
      }
      if (key == "store_failures") {
        COWORK_ASSIGN_OR_RETURN(auto store, m_reader.get_optional_bool(field));
        test_of_if_test(node).store_failures = store.value_or(false);
        return {};
      }
      return {};
    });
  }

  // Config keys such as severity appear on every node kind in some versions; only tests keep them. The resource type
  // may not be known yet (keys come in any order), so the values are parked in `test` and dropped by finish_node.
  static TestInfo& test_of_if_test(Node& node) { return test_of(node); }

  Status parse_test_metadata(Value& value, Node& node) {
    TestInfo& test = test_of(node);
    return m_reader.for_each_field(value, [&](std::string_view key, Value& field) -> Status {
      if (key == "name") return m_reader.read_text(field, test.name);
      if (key == "namespace") return m_reader.read_text(field, test.namespace_);
      if (key == "kwargs") {
        COWORK_ASSIGN_OR_RETURN(test.kwargs, m_reader.get_json(field));
        return {};
      }
      return {};
    });
  }

  Status parse_columns(Value& value, Node& node) {
    return m_reader.for_each_field(value, [&](std::string_view key, Value& field) -> Status {
      Column column;
      COWORK_TRY(m_reader.for_each_field(field, [&](std::string_view column_key, Value& column_field) -> Status {
        if (column_key == "name") return m_reader.read_text(column_field, column.name);
        if (column_key == "description") return m_reader.read_text(column_field, column.description);
        if (column_key == "data_type") return m_reader.read_text(column_field, column.data_type);
        return {};
      }));
      if (column.name.empty()) column.name = key;
      node.columns.push_back(std::move(column));
      return {};
    });
  }

  Status parse_depends_on(Value& value, Node& node) {
    return m_reader.for_each_field(value, [&](std::string_view key, Value& field) -> Status {
      if (key == "nodes") return m_reader.read_text_list(field, node.depends_on);
      if (key == "macros") return m_reader.read_text_list(field, node.depends_on_macros);
      return {};
    });
  }

  Status parse_macros(Value& value) {
    return m_reader.for_each_field(value, [&](std::string_view key, Value& macro_value) -> Status {
      Macro macro;
      COWORK_TRY(m_reader.for_each_field(macro_value, [&](std::string_view field_key, Value& field) -> Status {
        if (field_key == "name") return m_reader.read_text(field, macro.name);
        if (field_key == "package_name") return m_reader.read_text(field, macro.package_name);
        if (field_key == "original_file_path") return m_reader.read_text(field, macro.original_file_path);
        if (field_key == "macro_sql") return read_lazy(field, macro.macro_sql);
        return {};
      }));
      macro.unique_id = key;
      m_manifest.macros.push_back(std::move(macro));
      return {};
    });
  }

  // v4+: {unique_id: [node, ...]}; v1 to v3: [node, ...].
  Status parse_disabled(Value& value) {
    simdjson::ondemand::json_type type;
    if (auto code = value.type().get(type)) return m_reader.from_simdjson(code);
    if (type == simdjson::ondemand::json_type::array) {
      return m_reader.for_each_element(value, [&](std::size_t, Value& node) -> Status {
        return m_reader.for_each_field(node, [&](std::string_view key, Value& field) -> Status {
          if (key != "unique_id") return {};
          return m_reader.read_text(field, m_manifest.disabled.emplace_back());
        });
      });
    }
    return m_reader.for_each_field(value, [&](std::string_view id, Value&) -> Status {
      m_manifest.disabled.push_back(id);
      return {};
    });
  }

  Status parse_parent_map(Value& value) {
    auto& map = m_manifest.parent_map.emplace();
    return m_reader.for_each_field(value, [&](std::string_view key, Value& parents) -> Status {
      auto& list = map[key];
      return m_reader.read_text_list(parents, list);
    });
  }

  JsonReader& m_reader;
  Manifest& m_manifest;
  const ManifestOptions& m_options;
};

// The parallel read (see load_manifest in the header). Returns false, with the buffer restored, whenever the file is
// not laid out as expected or a piece does not parse; the caller then reads sequentially.
class ParallelRead {
 public:
  ParallelRead(Manifest& manifest, const ManifestOptions& options, unsigned threads)
      : m_manifest(manifest), m_options(options), m_threads(threads), m_file(*manifest.file) {}

  bool run() {
    if (!plan()) {
      m_file.restore();
      return false;
    }
    if (!parse_pieces()) {
      m_file.restore();
      return false;
    }
    return true;
  }

 private:
  struct Piece {
    std::size_t begin = 0;
    std::size_t end = 0;  // exclusive; the last piece runs to the end of the file
    Manifest out;
    Status status;
    std::optional<std::size_t> stop;  // where the piece's root object ended
  };

  static bool is_node_key_at(std::string_view text, std::size_t at) {
    // A nodes-section key: "model.", "test.", "seed."... (sources and the rest live in their own sections).
    for (std::string_view prefix : {"\"model.", "\"test.", "\"seed.", "\"snapshot.", "\"analysis.", "\"operation.",
                                    "\"sql_operation.", "\"sql operation."})
      if (text.substr(at, prefix.size()) == prefix) return true;
    return false;
  }

  // Finds where to cut: after `{"metadata": {...}` comes `, "nodes": {`, and each cut is a `}, "` that ends one node
  // entry and starts the next. Pokes the bytes that turn the pieces into documents of their own.
  bool plan() {
    const std::string_view text = m_file.view();
    constexpr std::string_view k_head = "{\"metadata\": {";
    constexpr std::string_view k_nodes = "}, \"nodes\": {";
    if (!text.starts_with(k_head)) return false;
    const std::size_t at = text.find(k_nodes);
    if (at == std::string_view::npos) return false;
    m_metadata_end = at + 1;                                 // the comma after metadata's closing brace
    const std::size_t nodes_open = at + k_nodes.size() - 1;  // the nodes object's opening brace
    std::vector<std::size_t> cuts;
    const std::size_t span = text.size() - nodes_open;
    for (unsigned i = 1; i < m_threads; ++i) {
      const double fraction =
          i - 1 < m_options.split_at.size() ? m_options.split_at[i - 1] : static_cast<double>(i) / m_threads;
      std::size_t from = m_options.split_at.empty() ? nodes_open + static_cast<std::size_t>(span * fraction)
                                                    : static_cast<std::size_t>(text.size() * fraction);
      from = std::max(from, cuts.empty() ? nodes_open : cuts.back() + 2);
      std::size_t cut = std::string_view::npos;
      for (std::size_t pos = text.find("}, \"", from); pos != std::string_view::npos && pos < from + (4u << 20);
           pos = text.find("}, \"", pos + 1)) {
        if (is_node_key_at(text, pos + 3)) {
          cut = pos + 1;  // the comma
          break;
        }
      }
      if (cut == std::string_view::npos) break;
      cuts.push_back(cut);
    }
    if (cuts.empty()) return false;
    if (!m_file.poke(m_metadata_end, '}')) return false;
    std::size_t begin = nodes_open;
    for (std::size_t cut : cuts) {
      if (!m_file.poke(cut, '}') || !m_file.poke(cut + 1, '{')) return false;
      m_pieces.push_back(std::make_unique<Piece>());
      m_pieces.back()->begin = begin;
      m_pieces.back()->end = cut + 1;
      begin = cut + 1;
    }
    m_pieces.push_back(std::make_unique<Piece>());
    m_pieces.back()->begin = begin;
    m_pieces.back()->end = text.size();
    return true;
  }

  void parse_piece(Piece& piece) {
    // dbt writes a few kB per node; reserving for that avoids regrowing (and re-faulting) a vector of big Nodes.
    piece.out.nodes.reserve((piece.end - piece.begin) / 2048 + 16);
    const PaddedFile& file = m_file;
    JsonReader reader(m_manifest.path, file.data() + piece.begin, piece.end - piece.begin,
                      file.capacity() - piece.begin, piece.out.arena.get());
    piece.status = reader.open();
    if (!piece.status) return;
    ManifestParser parser(reader, piece.out, m_options);
    piece.status = parser.parse_node_entries();
    if (piece.status) piece.stop = reader.position();
  }

  bool parse_pieces() {
    std::vector<std::thread> workers;
    for (std::size_t i = 1; i < m_pieces.size(); ++i) workers.emplace_back([this, i] { parse_piece(*m_pieces[i]); });
    // The metadata and the first piece on this thread.
    Manifest head;
    head.path = m_manifest.path;
    bool saw_metadata = false;
    {
      JsonReader reader(m_manifest.path, m_file.data(), m_metadata_end + 1, m_file.capacity(), head.arena.get());
      Status status = reader.open();
      if (status) {
        ManifestParser parser(reader, head, m_options);
        status = parser.parse_sections(saw_metadata);
      }
      if (!status || !saw_metadata || !head.nodes.empty()) {
        for (auto& worker : workers) worker.join();
        return false;
      }
    }
    parse_piece(*m_pieces[0]);
    for (auto& worker : workers) worker.join();

    // Every piece but the last must have been read to its very end (a cut inside a node would have closed the root
    // early or left it open); the last must stop where the nodes section closes and the next section begins.
    for (std::size_t i = 0; i < m_pieces.size(); ++i) {
      const Piece& piece = *m_pieces[i];
      if (!piece.status) return false;
      const bool last = i + 1 == m_pieces.size();
      if (!last && piece.stop.has_value()) return false;
      if (last && !piece.stop.has_value()) return false;
    }
    Piece& last = *m_pieces.back();
    const std::size_t rest = last.begin + *last.stop;  // the comma after the nodes section, or the root's last brace
    const std::string_view text = m_file.view();
    Manifest tail;
    tail.path = m_manifest.path;
    if (text[rest] == ',') {
      if (!m_file.poke(rest, '{')) return false;
      JsonReader reader(m_manifest.path, m_file.data() + rest, text.size() - rest, m_file.capacity() - rest,
                        tail.arena.get());
      Status status = reader.open();
      bool tail_metadata = false;
      if (status) {
        ManifestParser parser(reader, tail, m_options);
        status = parser.parse_sections(tail_metadata);
      }
      if (!status || tail_metadata) return false;
    } else if (text[rest] != '}') {
      return false;
    }

    // Assemble in file order: metadata, the node pieces, then the sections after them. The first piece's vector
    // becomes the manifest's, so only the later pieces are moved.
    m_manifest.metadata = std::move(head.metadata);
    std::size_t total = tail.nodes.size();
    for (const auto& piece : m_pieces) total += piece->out.nodes.size();
    m_manifest.nodes = std::move(m_pieces.front()->out.nodes);
    m_manifest.nodes.reserve(total);
    for (auto& piece : m_pieces) {
      if (piece != m_pieces.front())
        std::move(piece->out.nodes.begin(), piece->out.nodes.end(), std::back_inserter(m_manifest.nodes));
      m_manifest.warnings.insert(m_manifest.warnings.end(), piece->out.warnings.begin(), piece->out.warnings.end());
      m_manifest.more_arenas.push_back(std::move(piece->out.arena));
    }
    std::move(tail.nodes.begin(), tail.nodes.end(), std::back_inserter(m_manifest.nodes));
    m_manifest.macros = std::move(tail.macros);
    m_manifest.disabled = std::move(tail.disabled);
    m_manifest.parent_map = std::move(tail.parent_map);
    m_manifest.more_arenas.push_back(std::move(head.arena));
    m_manifest.more_arenas.push_back(std::move(tail.arena));
    m_manifest.pieces = static_cast<unsigned>(m_pieces.size());
    return true;
  }

  Manifest& m_manifest;
  const ManifestOptions& m_options;
  unsigned m_threads;
  PaddedFile& m_file;
  std::size_t m_metadata_end = 0;
  std::vector<std::unique_ptr<Piece>> m_pieces;
};

}  // namespace

Result<Manifest> load_manifest(const std::filesystem::path& path, const ManifestOptions& options) {
  COWORK_ASSIGN_OR_RETURN(auto file, PaddedFile::open(path, simdjson::SIMDJSON_PADDING));
  Manifest manifest;
  manifest.path = path.string();
  manifest.file = std::make_unique<PaddedFile>(std::move(file));

  unsigned threads = options.threads;
  if (const char* env = std::getenv("COWORK_THREADS"); threads == 0 && env != nullptr && *env != '\0')
    threads = static_cast<unsigned>(std::clamp(std::atoi(env), 1, 64));
  if (threads == 0) threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  if (threads > 1 && manifest.file->size() >= options.parallel_min_bytes) {
    ParallelRead parallel(manifest, options, threads);
    if (parallel.run()) {
      COWORK_TRY(check_metadata(ArtifactKind::manifest, manifest.path, true, manifest.metadata, manifest.warnings));
      return manifest;
    }
    // Start over on one thread: same result, and the error messages of a sequential read.
    manifest.nodes.clear();
    manifest.macros.clear();
    manifest.disabled.clear();
    manifest.warnings.clear();
    manifest.more_arenas.clear();
    manifest.metadata = {};
  }

  const PaddedFile& text = *manifest.file;
  JsonReader reader(manifest.path, text.data(), text.size(), text.capacity(), manifest.arena.get());
  COWORK_TRY(reader.open());
  ManifestParser parser(reader, manifest, options);
  COWORK_TRY(parser.parse());
  return manifest;
}

}  // namespace cowork::dbt
