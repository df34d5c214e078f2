// The tree-walking interpreter behind Environment::render and call_macro. One Renderer serves one render (or one
// API call) and holds its state: the render variables, the macro call depth, and a pending return(). Internal.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jinja/detail/macro.hpp"
#include "jinja/detail/runtime.hpp"
#include "jinja/detail/template_data.hpp"

namespace cowork::jinja::detail {

// Where code runs: which template (for error locations), which scope, which macro namespace.
struct Frame {
  const std::shared_ptr<const TemplateData>* tpl = nullptr;  // null for calls from the API
  std::shared_ptr<Scope> scope;
  const std::string* ns = nullptr;  // the running library macro's namespace, or null
};

class Renderer {
 public:
  Renderer(const Environment& owner, const Variables& variables);
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  Result<std::string> render(const Template& tpl);
  // A call from outside any template (Environment::call_macro); `site` names it in messages.
  Result<Value> call_from_api(const Value& callable, std::vector<Value> args, Kwargs kwargs, std::string site);

  const Environment& owner() const { return m_owner; }
  const Environment::Impl& env() const { return m_env; }

  // ---- used through CallContext and Access ----
  Value lookup(const Frame& frame, std::string_view name) const;
  Value find_macro(const Frame& frame, std::string_view name) const;
  Result<Value> call_value(const Frame& frame, ast::Pos pos, const Value& callee, std::vector<Value> args,
                           Kwargs kwargs);
  // Unlocated core operations: their errors get a location where the renderer reports them.
  Result<Value> attribute(const Value& value, std::string_view name) const;
  Result<Value> item(const Value& value, const Value& key) const;
  Result<std::vector<Value>> iterate(const Value& value) const;
  Result<Value> call_filter(const Frame& frame, ast::Pos pos, std::string_view name, std::vector<Value> args,
                            const Kwargs& kwargs);
  Result<bool> call_test(const Frame& frame, ast::Pos pos, std::string_view name, std::vector<Value> args,
                         const Kwargs& kwargs);
  Result<Value> signal_return(const Frame& frame, ast::Pos pos, Value value);
  // Prefixes an error with frame:pos unless it already has a location (or is a pending return).
  Error locate(const Frame& frame, ast::Pos pos, Error error);
  std::string where(const Frame& frame, ast::Pos pos) const;
  // Runs a recursive loop's body over `iterable` (`loop(children)`), returning its output.
  Result<std::string> run_recursive_loop(const ast::For& node, const Frame& frame, const Value& iterable,
                                         std::size_t depth0);

 private:
  Status exec_body(const ast::Body& body, const Frame& frame, std::string& out);
  Status exec(const ast::Stmt& stmt, const Frame& frame, std::string& out);
  Status exec_for(const ast::For& node, const Frame& frame, const Value& iterable, std::size_t depth0,
                  std::string& out);
  Status exec_call_block(const ast::CallBlock& node, const Frame& frame, std::string& out);
  Status assign(const ast::Target& target, Value value, const Frame& frame);
  Result<Value> apply_filter_chain(const ast::Expr& filter, Value value, const Frame& frame);

  Result<Value> eval(const ast::Expr& expr, const Frame& frame);
  Result<Value> eval_call(const ast::Call& call, const Frame& frame, const Value* caller);
  Status eval_arguments(const ast::Arguments& args, const Frame& frame, std::vector<Value>& positional,
                        Kwargs& keyword);
  Result<bool> truth(const Value& value, const Frame& frame, ast::Pos pos);
  Result<Value> invoke_macro(const Frame& frame, ast::Pos pos, const Callable& callable, std::vector<Value> args,
                             Kwargs kwargs);
  Status check_output(const Frame& frame, ast::Pos pos, const std::string& out);
  // Appends "in macro 'x' called at ..." to an error leaving a macro, folding a repeated line into a count.
  void add_trace_line(Error& error, std::string line);

  const Environment& m_owner;
  const Environment::Impl& m_env;
  const Variables& m_variables;
  std::size_t m_depth = 0;        // nested calls of macros and callers
  std::size_t m_macro_depth = 0;  // nested macros, where return() is allowed
  bool m_returning = false;
  Value m_return_value;
  std::string m_located;  // the message of the last error given a location
  std::string m_api_site;
  std::string m_trace_line;  // the last call-chain line added, its offset in the message, and its repeat count
  std::size_t m_trace_offset = 0;
  std::size_t m_trace_count = 0;
  std::shared_ptr<int> m_alive;  // loop objects that outlive the render check it
};

}  // namespace cowork::jinja::detail
