// A parsed Jinja template. Parsing happens once; the result is immutable and cheap to copy (copies share the tree),
// so the dbt compiler can parse every model, macro and test file once and render them many times, from several
// threads at once. Rendering needs an Environment (environment.hpp), which holds globals, filters and macros.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace cowork::jinja {

namespace detail {
struct TemplateData;
}  // namespace detail

// The dbt blocks and macros defined at the top level of a template.
enum class BlockKind : std::uint8_t {
  macro,            // {% macro name(...) %}
  test,             // {% test name(...) %}: registered as the macro test_<name>
  materialization,  // {% materialization name, adapter='x' %}: registered as materialization_<name>_<adapter>
  snapshot,         // {% snapshot name %}: its body renders in place
  docs,             // {% docs name %}: renders nothing; the body text is kept here
};

std::string_view to_string(BlockKind kind);

struct BlockInfo {
  BlockKind kind = BlockKind::macro;
  std::string name;        // as written: `not_null` for {% test not_null(...) %}
  std::string macro_name;  // the name it is callable by (macro, test, materialization); empty otherwise
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string body;  // the source text between the opening and the closing tag (with newlines normalised)
};

struct ParseOptions {
  // Blocks, brackets and operators nested deeper than this are a parse error rather than a deep recursion.
  std::size_t max_nesting = 128;
};

class Template {
 public:
  // Parses `source`; `name` (the file path) prefixes every error message: "models/x.sql:12:5: expected 'endif',
  // found end of file (the 'if' opened at 3:1)". Newlines are normalised to \n and one trailing newline is dropped,
  // as Jinja does with keep_trailing_newline off.
  static Result<Template> parse(std::string_view source, std::string name, const ParseOptions& options = {});

  const std::string& name() const;
  // Top-level macros, tests, materializations, snapshots and docs blocks, in source order.
  const std::vector<BlockInfo>& blocks() const;

  const std::shared_ptr<const detail::TemplateData>& data() const { return m_data; }

 private:
  static Result<Template> parse_unguarded(std::string_view source, std::string name, const ParseOptions& options);
  explicit Template(std::shared_ptr<const detail::TemplateData> data) : m_data(std::move(data)) {}
  std::shared_ptr<const detail::TemplateData> m_data;
};

}  // namespace cowork::jinja
