// Scopes and macro closures: what a callable macro value carries. Internal to the engine.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jinja/detail/ast.hpp"

namespace cowork::jinja::detail {

struct TemplateData;

// One level of variables: a template's top level, a macro call, one iteration of a loop, a with block. Scopes are
// small, so a vector beats a hash map.
struct Scope {
  explicit Scope(std::shared_ptr<Scope> p) : parent(std::move(p)) {}
  std::shared_ptr<Scope> parent;
  std::vector<std::pair<std::string, Value>> vars;

  Value* find(std::string_view name) {
    for (auto& [key, value] : vars)
      if (key == name) return &value;
    return nullptr;
  }
  void set(std::string_view name, Value value) {
    if (Value* existing = find(name)) {
      *existing = std::move(value);
      return;
    }
    vars.emplace_back(std::string(name), std::move(value));
  }
};

struct Macro {
  const ast::MacroSignature* signature = nullptr;
  std::shared_ptr<const TemplateData> tpl;  // keeps the signature alive
  // The scope a template-defined macro or caller closes over. Weak, so that a template's top-level scope holding its
  // own macros is not a reference cycle; library macros have none.
  std::weak_ptr<Scope> closure;
  bool has_closure = false;
  std::string ns;  // the namespace a library macro was loaded into (and the one a caller was defined in)
  bool is_caller = false;
};

}  // namespace cowork::jinja::detail
