// What a Template shares between its copies: the normalised source, the syntax tree and the top-level blocks.
// Internal to the engine.
#pragma once

#include <string>
#include <vector>

#include "jinja/detail/ast.hpp"
#include "jinja/template.hpp"

namespace cowork::jinja::detail {

struct TemplateData {
  std::string name;
  std::string source;  // newlines normalised, the trailing newline dropped
  ast::Body body;
  std::vector<BlockInfo> blocks;
  std::vector<const ast::MacroDef*> macros;  // top-level macro-like definitions, in source order
};

}  // namespace cowork::jinja::detail
