// Template::parse: tokens to the syntax tree, with Jinja2's grammar and operator precedence, plus dbt's blocks
// ({% test %}, {% materialization %}, {% snapshot %}, {% docs %}).
#include <algorithm>
#include <array>
#include <span>

#include "jinja/detail/ast.hpp"
#include "jinja/detail/lexer.hpp"
#include "jinja/detail/template_data.hpp"
#include "jinja/template.hpp"

namespace cowork::jinja {
namespace {

using namespace detail;
using namespace ast;

// Tags that continue or close a block; meeting one where it does not belong is a mismatch, not an unknown tag.
constexpr std::array<std::string_view, 19> k_inner_tags = {
    "elif",
    "else",
    "endif",
    "endfor",
    "endset",
    "endmacro",
    "endcall",
    "endfilter",
    "endwith",
    "endtest",
    "endmaterialization",
    "endsnapshot",
    "enddocs",
    "endblock",
    "endautoescape",
    "endraw",
    "endtrans",
    "pluralize",
    "endfilter",
};

constexpr std::array<std::string_view, 7> k_unsupported_tags = {"include", "import", "from",    "extends",
                                                                "trans",   "break",  "continue"};

struct OpenBlock {
  std::string_view tag;
  std::string_view end_tag;
  Pos pos;
};

class Parser {
 public:
  Parser(TemplateData& data, std::vector<Token> tokens, const LineIndex& lines, const ParseOptions& options)
      : m_data(data), m_tokens(std::move(tokens)), m_lines(lines), m_options(options) {}

  Status run() {
    COWORK_ASSIGN_OR_RETURN(auto stop, parse_body(m_data.body, {}, nullptr));
    (void)stop;
    // Top-level macro-like definitions are what load_macros registers.
    for (const auto& stmt : m_data.body)
      if (stmt->kind == StmtKind::macro) m_data.macros.push_back(static_cast<const MacroDef*>(stmt.get()));
    return {};
  }

 private:
  // ---- tokens ----

  const Token& peek(std::size_t ahead = 0) const {
    const std::size_t index = std::min(m_pos + ahead, m_tokens.size() - 1);
    return m_tokens[index];
  }
  const Token& next() {
    const Token& token = m_tokens[m_pos];
    if (m_pos + 1 < m_tokens.size()) ++m_pos;
    return token;
  }
  Pos pos_of(const Token& token) const { return {m_lines.line(token.offset), m_lines.column(token.offset)}; }

  bool at_op(std::string_view op, std::size_t ahead = 0) const {
    const Token& token = peek(ahead);
    return token.type == TokenType::op && token.text == op;
  }
  bool at_name(std::string_view name, std::size_t ahead = 0) const {
    const Token& token = peek(ahead);
    return token.type == TokenType::name && token.text == name;
  }

  static std::string describe(const Token& token) {
    switch (token.type) {
      case TokenType::eof:
        return "end of file";
      case TokenType::data:
        return "template text";
      case TokenType::string:
        return fmt::format("string {}", Value(token.value).repr());
      default:
        return fmt::format("'{}'", token.text);
    }
  }

  std::unexpected<Error> fail_at(Pos pos, std::string_view message) const {
    return make_error(ErrorCode::invalid_argument, "{}:{}:{}: {}", m_data.name, pos.line, pos.column, message);
  }
  std::unexpected<Error> fail_at(const Token& token, std::string_view message) const {
    return fail_at(pos_of(token), message);
  }
  std::unexpected<Error> unexpected(std::string_view expected) const {
    return fail_at(peek(), fmt::format("expected {}, found {}", expected, describe(peek())));
  }

  Status expect_op(std::string_view op) {
    if (!at_op(op)) return unexpected(fmt::format("'{}'", op));
    next();
    return {};
  }
  Status expect_name(std::string_view name) {
    if (!at_name(name)) return unexpected(fmt::format("'{}'", name));
    next();
    return {};
  }
  Result<std::string> expect_identifier(std::string_view what) {
    if (peek().type != TokenType::name) return unexpected(what);
    return std::string(next().text);
  }
  Status expect_block_end() {
    if (peek().type != TokenType::block_end) return unexpected("'%}'");
    next();
    return {};
  }

  // Guards recursion on blocks and on expressions alike.
  class Nesting {
   public:
    explicit Nesting(Parser& parser) : m_parser(parser) { ++m_parser.m_depth; }
    ~Nesting() { --m_parser.m_depth; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser& m_parser;
  };
  Status check_depth() const {
    if (m_depth > m_options.max_nesting)
      return fail_at(peek(), fmt::format("nesting too deep: more than {} levels of blocks, brackets or operators",
                                         m_options.max_nesting));
    return {};
  }

  // ---- statements ----

  // Parses statements into `out` until a tag in `stops`, leaving the parser on that tag's name. Returns the tag
  // found ("" at the end of the file, which is only allowed at the top level).
  Result<std::string_view> parse_body(Body& out, std::initializer_list<std::string_view> stops, const OpenBlock* open) {
    Nesting nesting(*this);
    COWORK_TRY(check_depth());
    while (true) {
      const Token& token = peek();
      switch (token.type) {
        case TokenType::data:
          out.push_back(std::make_unique<Text>(pos_of(token), std::string(token.text)));
          next();
          break;
        case TokenType::variable_begin: {
          const Pos pos = pos_of(token);
          next();
          COWORK_ASSIGN_OR_RETURN(auto expr, parse_tuple(false, true, {}));
          if (peek().type != TokenType::variable_end) return unexpected("'}}'");
          next();
          out.push_back(std::make_unique<Output>(pos, std::move(expr)));
          break;
        }
        case TokenType::block_begin: {
          const Pos block_pos = pos_of(token);
          next();
          const Token& tag = peek();
          if (tag.type != TokenType::name) return unexpected("a tag name");
          if (std::find(stops.begin(), stops.end(), tag.text) != stops.end()) return tag.text;
          COWORK_ASSIGN_OR_RETURN(auto stmt, parse_statement(open, block_pos));
          if (stmt) out.push_back(std::move(stmt));
          break;
        }
        case TokenType::eof:
          if (open)
            return fail_at(token, fmt::format("expected '{}', found end of file (the '{}' opened at {}:{})",
                                              open->end_tag, open->tag, open->pos.line, open->pos.column));
          return std::string_view();
        default:
          return unexpected("template text or a tag");
      }
    }
  }

  // On the tag name after `{%`. Returns null for tags that produce nothing (macro bodies are still returned).
  // `pos` is where the tag's `{%` is: blocks report "the 'if' opened at 3:1" from there.
  Result<StmtPtr> parse_statement(const OpenBlock* open, Pos pos) {
    const Token& tag = peek();
    const std::string_view name = tag.text;
    if (name == "if") return parse_if(pos);
    if (name == "for") return parse_for(pos);
    if (name == "set") return parse_set(pos);
    if (name == "macro") return parse_macro(pos, MacroKind::macro);
    if (name == "test") return parse_macro(pos, MacroKind::test);
    if (name == "materialization") return parse_materialization(pos);
    if (name == "call") return parse_call_block(pos);
    if (name == "filter") return parse_filter_block(pos);
    if (name == "do") {
      next();
      COWORK_ASSIGN_OR_RETURN(auto expr, parse_tuple(false, true, {}));
      COWORK_TRY(expect_block_end());
      return std::make_unique<Do>(pos, std::move(expr));
    }
    if (name == "with") return parse_with(pos);
    if (name == "snapshot" || name == "docs") return parse_named_block(pos, name);
    if (name == "block" || name == "autoescape") return parse_plain_block(pos, name);
    if (std::find(k_unsupported_tags.begin(), k_unsupported_tags.end(), name) != k_unsupported_tags.end())
      return fail_at(tag, fmt::format("the '{}' tag is not supported: templates render one file, with no loader and "
                                      "no loop controls (as in dbt)",
                                      name));
    if (std::find(k_inner_tags.begin(), k_inner_tags.end(), name) != k_inner_tags.end()) {
      if (open)
        return fail_at(tag, fmt::format("expected '{}', found '{}' (the '{}' opened at {}:{})", open->end_tag, name,
                                        open->tag, open->pos.line, open->pos.column));
      return fail_at(tag, fmt::format("unexpected '{}': no block is open", name));
    }
    return fail_at(tag, fmt::format("unknown tag '{}'", name));
  }

  // Consumes `{% end_tag %}` once parse_body stopped on it.
  Status finish_block(std::string_view end_tag) {
    COWORK_TRY(expect_name(end_tag));
    return expect_block_end();
  }

  Result<StmtPtr> parse_if(Pos pos) {
    next();
    auto node = std::make_unique<If>(pos);
    const OpenBlock open{"if", "endif", pos};
    while (true) {
      COWORK_ASSIGN_OR_RETURN(auto test, parse_tuple(false, false, {}));
      COWORK_TRY(expect_block_end());
      Body body;
      COWORK_ASSIGN_OR_RETURN(auto stop, parse_body(body, {"elif", "else", "endif"}, &open));
      node->branches.emplace_back(std::move(test), std::move(body));
      next();
      if (stop == "elif") continue;
      if (stop == "else") {
        COWORK_TRY(expect_block_end());
        COWORK_ASSIGN_OR_RETURN(auto end, parse_body(node->otherwise, {"endif"}, &open));
        (void)end;
        next();
      }
      COWORK_TRY(expect_block_end());
      return node;
    }
  }

  Result<StmtPtr> parse_for(Pos pos) {
    next();
    auto node = std::make_unique<For>(pos);
    COWORK_ASSIGN_OR_RETURN(node->target, parse_target(false, {"in"}));
    COWORK_TRY(expect_name("in"));
    COWORK_ASSIGN_OR_RETURN(node->iterable, parse_tuple(false, false, {"recursive"}));
    if (at_name("if")) {
      next();
      COWORK_ASSIGN_OR_RETURN(node->condition, parse_expression(true));
    }
    if (at_name("recursive")) {
      next();
      node->recursive = true;
    }
    COWORK_TRY(expect_block_end());
    const OpenBlock open{"for", "endfor", pos};
    COWORK_ASSIGN_OR_RETURN(auto stop, parse_body(node->body, {"else", "endfor"}, &open));
    next();
    if (stop == "else") {
      COWORK_TRY(expect_block_end());
      COWORK_ASSIGN_OR_RETURN(auto end, parse_body(node->otherwise, {"endfor"}, &open));
      (void)end;
      next();
    }
    COWORK_TRY(expect_block_end());
    return node;
  }

  Result<StmtPtr> parse_set(Pos pos) {
    next();
    COWORK_ASSIGN_OR_RETURN(Target target, parse_target(true, {}));
    if (at_op("=")) {
      next();
      auto node = std::make_unique<Set>(pos);
      node->target = std::move(target);
      COWORK_ASSIGN_OR_RETURN(node->value, parse_tuple(false, true, {}));
      COWORK_TRY(expect_block_end());
      return node;
    }
    auto node = std::make_unique<SetBlock>(pos);
    node->target = std::move(target);
    if (at_op("|")) {
      COWORK_ASSIGN_OR_RETURN(node->filter, parse_filter_chain(nullptr));
    }
    COWORK_TRY(expect_block_end());
    const OpenBlock open{"set", "endset", pos};
    COWORK_ASSIGN_OR_RETURN(auto stop, parse_body(node->body, {"endset"}, &open));
    (void)stop;
    COWORK_TRY(finish_block("endset"));
    return node;
  }

  // A parameter list `(a, b=1, c=none)` for macros and call blocks.
  Status parse_parameters(std::vector<Parameter>& params) {
    COWORK_TRY(expect_op("("));
    while (!at_op(")")) {
      if (!params.empty()) COWORK_TRY(expect_op(","));
      if (at_op(")")) break;
      Parameter param;
      const Token& token = peek();
      COWORK_ASSIGN_OR_RETURN(param.name, expect_identifier("a parameter name"));
      for (const auto& other : params)
        if (other.name == param.name) return fail_at(token, fmt::format("duplicate parameter '{}'", param.name));
      if (at_op("=")) {
        next();
        COWORK_ASSIGN_OR_RETURN(param.default_value, parse_expression(true));
      } else if (!params.empty() && params.back().default_value) {
        return fail_at(token, fmt::format("parameter '{}' without a default follows one with a default", param.name));
      }
      params.push_back(std::move(param));
    }
    next();
    return {};
  }

  // Records which of varargs/kwargs/caller a macro body mentions: Jinja accepts extra arguments only then.
  void note_name(std::string_view name) {
    for (MacroSignature* signature : m_macro_stack) {
      if (name == "varargs") signature->uses_varargs = true;
      if (name == "kwargs") signature->uses_kwargs = true;
      if (name == "caller") signature->uses_caller = true;
    }
  }

  Result<StmtPtr> parse_macro(Pos pos, MacroKind kind) {
    const std::string_view tag = kind == MacroKind::test ? "test" : "macro";
    next();
    auto node = std::make_unique<MacroDef>(pos);
    node->macro_kind = kind;
    COWORK_ASSIGN_OR_RETURN(std::string name,
                            expect_identifier(kind == MacroKind::test ? "a test name" : "a macro name"));
    node->signature.name = kind == MacroKind::test ? "test_" + name : name;
    COWORK_TRY(parse_parameters(node->signature.params));
    COWORK_TRY(expect_block_end());
    const std::string end_tag = fmt::format("end{}", tag);
    const OpenBlock open{tag, end_tag, pos};
    const std::size_t body_start = m_tokens[m_pos - 1].offset + m_tokens[m_pos - 1].text.size();
    m_macro_stack.push_back(&node->signature);
    auto stop = parse_body(node->signature.body, {end_tag}, &open);
    m_macro_stack.pop_back();
    if (!stop) return std::unexpected(std::move(stop).error());
    const std::size_t body_end = block_begin_offset();
    COWORK_TRY(finish_block(end_tag));
    if (m_depth == 1)
      record_block(kind == MacroKind::test ? BlockKind::test : BlockKind::macro, name, node->signature.name, pos,
                   body_start, body_end);
    return node;
  }

  // `{% materialization name, default %}` or `{% materialization name, adapter='duckdb' %}`, with any other keyword
  // (supported_languages=[...]) accepted and ignored, as dbt does.
  Result<StmtPtr> parse_materialization(Pos pos) {
    next();
    auto node = std::make_unique<MacroDef>(pos);
    node->macro_kind = MacroKind::materialization;
    COWORK_ASSIGN_OR_RETURN(std::string name, expect_identifier("a materialization name"));
    std::string adapter = "default";
    while (at_op(",")) {
      next();
      if (at_name("default") && !at_op("=", 1)) {
        next();
        continue;
      }
      COWORK_ASSIGN_OR_RETURN(std::string key, expect_identifier("'default' or a keyword argument"));
      COWORK_TRY(expect_op("="));
      const Token& value_token = peek();
      COWORK_ASSIGN_OR_RETURN(auto value, parse_expression(true));
      if (key == "adapter") {
        if (value->kind != ExprKind::literal || !static_cast<Literal&>(*value).value.is_string())
          return fail_at(value_token, "the materialization's adapter must be a string");
        adapter = static_cast<Literal&>(*value).value.as_string();
      }
    }
    COWORK_TRY(expect_block_end());
    node->signature.name = fmt::format("materialization_{}_{}", name, adapter);
    const OpenBlock open{"materialization", "endmaterialization", pos};
    const std::size_t body_start = m_tokens[m_pos - 1].offset + m_tokens[m_pos - 1].text.size();
    m_macro_stack.push_back(&node->signature);
    auto stop = parse_body(node->signature.body, {"endmaterialization"}, &open);
    m_macro_stack.pop_back();
    if (!stop) return std::unexpected(std::move(stop).error());
    const std::size_t body_end = block_begin_offset();
    COWORK_TRY(finish_block("endmaterialization"));
    if (m_depth == 1) record_block(BlockKind::materialization, name, node->signature.name, pos, body_start, body_end);
    return node;
  }

  // {% snapshot name %} renders its body in place; {% docs name %} renders nothing. Both are listed in blocks().
  Result<StmtPtr> parse_named_block(Pos pos, std::string_view tag) {
    const std::string tag_name(tag);
    next();
    COWORK_ASSIGN_OR_RETURN(std::string name, expect_identifier(fmt::format("a {} name", tag_name)));
    COWORK_TRY(expect_block_end());
    const std::string end_tag = "end" + tag_name;
    const OpenBlock open{tag, end_tag, pos};
    const std::size_t body_start = m_tokens[m_pos - 1].offset + m_tokens[m_pos - 1].text.size();
    auto node = std::make_unique<ScopeBlock>(pos);
    COWORK_ASSIGN_OR_RETURN(auto stop, parse_body(node->body, {end_tag}, &open));
    (void)stop;
    const std::size_t body_end = block_begin_offset();
    COWORK_TRY(finish_block(end_tag));
    const bool docs = tag_name == "docs";
    if (m_depth == 1) record_block(docs ? BlockKind::docs : BlockKind::snapshot, name, "", pos, body_start, body_end);
    if (docs) return StmtPtr();
    return node;
  }

  // {% block name %} (no inheritance: it renders in place) and {% autoescape expr %} (no autoescaping here).
  Result<StmtPtr> parse_plain_block(Pos pos, std::string_view tag) {
    const std::string tag_name(tag);
    next();
    if (tag_name == "block") {
      COWORK_ASSIGN_OR_RETURN(std::string name, expect_identifier("a block name"));
      while (at_name("scoped") || at_name("required")) next();
    } else {
      COWORK_ASSIGN_OR_RETURN(auto ignored, parse_expression(true));
    }
    COWORK_TRY(expect_block_end());
    const std::string end_tag = "end" + tag_name;
    const OpenBlock open{tag, end_tag, pos};
    auto node = std::make_unique<ScopeBlock>(pos);
    COWORK_ASSIGN_OR_RETURN(auto stop, parse_body(node->body, {end_tag}, &open));
    (void)stop;
    next();
    if (tag_name == "block" && peek().type == TokenType::name) next();
    COWORK_TRY(expect_block_end());
    return node;
  }

  // The offset of the `{%` before the tag name the parser stands on.
  std::size_t block_begin_offset() const { return m_pos > 0 ? m_tokens[m_pos - 1].offset : 0; }

  void record_block(BlockKind kind, std::string name, std::string macro_name, Pos pos, std::size_t body_start,
                    std::size_t body_end) {
    BlockInfo info;
    info.kind = kind;
    info.name = std::move(name);
    info.macro_name = std::move(macro_name);
    info.line = pos.line;
    info.column = pos.column;
    if (body_end >= body_start) info.body = m_data.source.substr(body_start, body_end - body_start);
    m_data.blocks.push_back(std::move(info));
  }

  Result<StmtPtr> parse_call_block(Pos pos) {
    next();
    auto node = std::make_unique<CallBlock>(pos);
    node->caller.name = "caller";
    if (at_op("(")) COWORK_TRY(parse_parameters(node->caller.params));
    const Token& call_token = peek();
    COWORK_ASSIGN_OR_RETURN(node->call, parse_expression(true));
    if (node->call->kind != ExprKind::call) return fail_at(call_token, "a call block needs a call expression");
    COWORK_TRY(expect_block_end());
    const OpenBlock open{"call", "endcall", pos};
    m_macro_stack.push_back(&node->caller);
    auto stop = parse_body(node->caller.body, {"endcall"}, &open);
    m_macro_stack.pop_back();
    if (!stop) return std::unexpected(std::move(stop).error());
    COWORK_TRY(finish_block("endcall"));
    return node;
  }

  Result<StmtPtr> parse_filter_block(Pos pos) {
    next();
    auto node = std::make_unique<FilterBlock>(pos);
    COWORK_ASSIGN_OR_RETURN(node->filter, parse_filter_chain(nullptr, /*leading_pipe=*/false));
    COWORK_TRY(expect_block_end());
    const OpenBlock open{"filter", "endfilter", pos};
    COWORK_ASSIGN_OR_RETURN(auto stop, parse_body(node->body, {"endfilter"}, &open));
    (void)stop;
    COWORK_TRY(finish_block("endfilter"));
    return node;
  }

  Result<StmtPtr> parse_with(Pos pos) {
    next();
    auto node = std::make_unique<With>(pos);
    while (peek().type != TokenType::block_end) {
      if (!node->assignments.empty()) COWORK_TRY(expect_op(","));
      COWORK_ASSIGN_OR_RETURN(Target target, parse_target(false, {}));
      COWORK_TRY(expect_op("="));
      COWORK_ASSIGN_OR_RETURN(auto value, parse_expression(true));
      node->assignments.emplace_back(std::move(target), std::move(value));
    }
    next();
    const OpenBlock open{"with", "endwith", pos};
    COWORK_ASSIGN_OR_RETURN(auto stop, parse_body(node->body, {"endwith"}, &open));
    (void)stop;
    COWORK_TRY(finish_block("endwith"));
    return node;
  }

  // ---- assignment targets ----

  Result<Target> parse_target_item() {
    const Token& token = peek();
    if (at_op("(")) {
      next();
      COWORK_ASSIGN_OR_RETURN(Target inner, parse_target(false, {}));
      COWORK_TRY(expect_op(")"));
      return inner;
    }
    Target target;
    target.pos = pos_of(token);
    COWORK_ASSIGN_OR_RETURN(target.name, expect_identifier("a variable name"));
    return target;
  }

  // `x`, `a, b`, `(a, b), c`, and with `allow_attribute` a namespace attribute `ns.x`.
  Result<Target> parse_target(bool allow_attribute, std::initializer_list<std::string_view> end_names) {
    if (allow_attribute && peek().type == TokenType::name && at_op(".", 1)) {
      Target target;
      target.kind = Target::Kind::attribute;
      target.pos = pos_of(peek());
      target.name = std::string(next().text);
      next();
      COWORK_ASSIGN_OR_RETURN(target.attribute, expect_identifier("an attribute name"));
      return target;
    }
    const Pos pos = pos_of(peek());
    COWORK_ASSIGN_OR_RETURN(Target first, parse_target_item());
    if (!at_op(",")) return first;
    Target tuple;
    tuple.kind = Target::Kind::tuple;
    tuple.pos = pos;
    tuple.items.push_back(std::move(first));
    while (at_op(",")) {
      next();
      const Token& token = peek();
      if (token.type == TokenType::block_end || at_op("=") ||
          (token.type == TokenType::name &&
           std::find(end_names.begin(), end_names.end(), token.text) != end_names.end()))
        break;
      COWORK_ASSIGN_OR_RETURN(Target item, parse_target_item());
      tuple.items.push_back(std::move(item));
    }
    return tuple;
  }

  // ---- expressions ----

  bool at_tuple_end(std::initializer_list<std::string_view> end_names) const {
    const Token& token = peek();
    if (token.type == TokenType::variable_end || token.type == TokenType::block_end || token.type == TokenType::eof)
      return true;
    if (at_op(")")) return true;
    return token.type == TokenType::name &&
           std::find(end_names.begin(), end_names.end(), token.text) != end_names.end();
  }

  // An expression, or several separated by commas (a tuple without parentheses).
  Result<ExprPtr> parse_tuple(bool explicit_parens, bool with_condexpr,
                              std::initializer_list<std::string_view> end_names) {
    const Pos pos = pos_of(peek());
    std::vector<ExprPtr> items;
    bool is_tuple = false;
    while (true) {
      if (!items.empty()) COWORK_TRY(expect_op(","));
      if (at_tuple_end(end_names)) break;
      COWORK_ASSIGN_OR_RETURN(auto item, parse_expression(with_condexpr));
      items.push_back(std::move(item));
      if (at_op(","))
        is_tuple = true;
      else
        break;
    }
    if (!is_tuple) {
      if (!items.empty()) return std::move(items.front());
      if (!explicit_parens) return unexpected("an expression");
    }
    auto tuple = std::make_unique<Sequence>(ExprKind::tuple, pos);
    tuple->items = std::move(items);
    return tuple;
  }

  Result<ExprPtr> parse_expression(bool with_condexpr) {
    Nesting nesting(*this);
    COWORK_TRY(check_depth());
    if (!with_condexpr) return parse_or();
    COWORK_ASSIGN_OR_RETURN(auto expr, parse_or());
    while (at_name("if")) {
      const Pos pos = pos_of(next());
      auto node = std::make_unique<Conditional>(pos);
      node->then = std::move(expr);
      COWORK_ASSIGN_OR_RETURN(node->test, parse_or());
      if (at_name("else")) {
        next();
        COWORK_ASSIGN_OR_RETURN(node->otherwise, parse_expression(true));
      }
      expr = std::move(node);
    }
    return expr;
  }

  Result<ExprPtr> parse_or() {
    COWORK_ASSIGN_OR_RETURN(auto left, parse_and());
    while (at_name("or")) {
      const Pos pos = pos_of(next());
      COWORK_ASSIGN_OR_RETURN(auto right, parse_and());
      left = std::make_unique<Logical>(ExprKind::or_, pos, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> parse_and() {
    COWORK_ASSIGN_OR_RETURN(auto left, parse_not());
    while (at_name("and")) {
      const Pos pos = pos_of(next());
      COWORK_ASSIGN_OR_RETURN(auto right, parse_not());
      left = std::make_unique<Logical>(ExprKind::and_, pos, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> parse_not() {
    if (at_name("not")) {
      const Pos pos = pos_of(next());
      Nesting nesting(*this);
      COWORK_TRY(check_depth());
      COWORK_ASSIGN_OR_RETURN(auto operand, parse_not());
      return std::make_unique<Unary>(ExprKind::not_, pos, std::move(operand));
    }
    return parse_compare();
  }

  Result<ExprPtr> parse_compare() {
    const Pos pos = pos_of(peek());
    COWORK_ASSIGN_OR_RETURN(auto first, parse_math1());
    std::unique_ptr<Compare> node;
    while (true) {
      CompareOp op;
      const Token& token = peek();
      if (token.type == TokenType::op && token.text == "==")
        op = CompareOp::eq;
      else if (token.type == TokenType::op && token.text == "!=")
        op = CompareOp::ne;
      else if (token.type == TokenType::op && token.text == "<")
        op = CompareOp::lt;
      else if (token.type == TokenType::op && token.text == "<=")
        op = CompareOp::le;
      else if (token.type == TokenType::op && token.text == ">")
        op = CompareOp::gt;
      else if (token.type == TokenType::op && token.text == ">=")
        op = CompareOp::ge;
      else if (at_name("in"))
        op = CompareOp::in;
      else if (at_name("not") && at_name("in", 1))
        op = CompareOp::not_in;
      else
        break;
      const Pos op_pos = pos_of(token);
      next();
      if (op == CompareOp::not_in) next();
      COWORK_ASSIGN_OR_RETURN(auto right, parse_math1());
      if (!node) {
        node = std::make_unique<Compare>(pos);
        node->first = std::move(first);
      }
      node->rest.emplace_back(op, std::move(right));
      node->op_pos.push_back(op_pos);
    }
    if (node) return node;
    return first;
  }

  Result<ExprPtr> parse_math1() {
    COWORK_ASSIGN_OR_RETURN(auto left, parse_concat());
    while (at_op("+") || at_op("-")) {
      const Token& token = next();
      const BinaryOp op = token.text == "+" ? BinaryOp::add : BinaryOp::sub;
      COWORK_ASSIGN_OR_RETURN(auto right, parse_concat());
      left = std::make_unique<Binary>(pos_of(token), op, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> parse_concat() {
    COWORK_ASSIGN_OR_RETURN(auto left, parse_math2());
    while (at_op("~")) {
      const Pos pos = pos_of(next());
      COWORK_ASSIGN_OR_RETURN(auto right, parse_math2());
      left = std::make_unique<Binary>(pos, BinaryOp::concat, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> parse_math2() {
    COWORK_ASSIGN_OR_RETURN(auto left, parse_pow());
    while (at_op("*") || at_op("/") || at_op("//") || at_op("%")) {
      const Token& token = next();
      BinaryOp op = BinaryOp::mul;
      if (token.text == "/") op = BinaryOp::div;
      if (token.text == "//") op = BinaryOp::floordiv;
      if (token.text == "%") op = BinaryOp::mod;
      COWORK_ASSIGN_OR_RETURN(auto right, parse_pow());
      left = std::make_unique<Binary>(pos_of(token), op, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> parse_pow() {
    COWORK_ASSIGN_OR_RETURN(auto left, parse_unary(true));
    while (at_op("**")) {
      const Pos pos = pos_of(next());
      COWORK_ASSIGN_OR_RETURN(auto right, parse_unary(true));
      left = std::make_unique<Binary>(pos, BinaryOp::pow, std::move(left), std::move(right));
    }
    return left;
  }

  Result<ExprPtr> parse_unary(bool with_filter) {
    Nesting nesting(*this);
    COWORK_TRY(check_depth());
    ExprPtr node;
    const Pos start = pos_of(peek());
    if (at_op("-") || at_op("+")) {
      const Token& token = next();
      COWORK_ASSIGN_OR_RETURN(auto operand, parse_unary(false));
      node = std::make_unique<Unary>(token.text == "-" ? ExprKind::negate : ExprKind::plus, pos_of(token),
                                     std::move(operand));
    } else {
      COWORK_ASSIGN_OR_RETURN(node, parse_primary());
    }
    COWORK_ASSIGN_OR_RETURN(node, parse_postfix(std::move(node), start));
    if (with_filter) {
      COWORK_ASSIGN_OR_RETURN(node, parse_filter_expr(std::move(node), start));
    }
    return node;
  }

  Result<ExprPtr> parse_primary() {
    const Token& token = peek();
    const Pos pos = pos_of(token);
    switch (token.type) {
      case TokenType::name: {
        next();
        const std::string_view name = token.text;
        if (name == "true" || name == "True") return std::make_unique<Literal>(pos, Value(true));
        if (name == "false" || name == "False") return std::make_unique<Literal>(pos, Value(false));
        if (name == "none" || name == "None") return std::make_unique<Literal>(pos, Value::none());
        note_name(name);
        return std::make_unique<Name>(pos, std::string(name));
      }
      case TokenType::string: {
        std::string text = next().value;
        while (peek().type == TokenType::string) text += next().value;
        return std::make_unique<Literal>(pos, Value(std::move(text)));
      }
      case TokenType::integer:
        next();
        return std::make_unique<Literal>(pos, Value(token.int_value));
      case TokenType::floating:
        next();
        return std::make_unique<Literal>(pos, Value(token.float_value));
      case TokenType::op:
        if (token.text == "(") {
          next();
          COWORK_ASSIGN_OR_RETURN(auto inner, parse_tuple(true, true, {}));
          COWORK_TRY(expect_op(")"));
          return inner;
        }
        if (token.text == "[") {
          next();
          auto list = std::make_unique<Sequence>(ExprKind::list, pos);
          while (!at_op("]")) {
            if (!list->items.empty()) COWORK_TRY(expect_op(","));
            if (at_op("]")) break;
            COWORK_ASSIGN_OR_RETURN(auto item, parse_expression(true));
            list->items.push_back(std::move(item));
          }
          next();
          return list;
        }
        if (token.text == "{") {
          next();
          auto dict = std::make_unique<DictDisplay>(pos);
          while (!at_op("}")) {
            if (!dict->items.empty()) COWORK_TRY(expect_op(","));
            if (at_op("}")) break;
            COWORK_ASSIGN_OR_RETURN(auto key, parse_expression(true));
            COWORK_TRY(expect_op(":"));
            COWORK_ASSIGN_OR_RETURN(auto value, parse_expression(true));
            dict->items.emplace_back(std::move(key), std::move(value));
          }
          next();
          return dict;
        }
        break;
      default:
        break;
    }
    return unexpected("an expression");
  }

  // `start` is where the whole expression begins: a call reports errors there ("x.sql:4:7" points at `adapter`
  // in `adapter.dispatch(...)`).
  Result<ExprPtr> parse_postfix(ExprPtr node, Pos start) {
    while (true) {
      if (at_op(".")) {
        const Pos pos = pos_of(next());
        const Token& token = peek();
        if (token.type == TokenType::name) {
          next();
          node = std::make_unique<Attribute>(pos_of(token), std::move(node), std::string(token.text));
        } else if (token.type == TokenType::integer) {
          next();
          node = std::make_unique<Item>(pos, std::move(node),
                                        std::make_unique<Literal>(pos_of(token), Value(token.int_value)));
        } else {
          return unexpected("an attribute name after '.'");
        }
      } else if (at_op("[")) {
        const Pos pos = pos_of(next());
        COWORK_ASSIGN_OR_RETURN(node, parse_subscript(pos, std::move(node)));
      } else if (at_op("(")) {
        COWORK_ASSIGN_OR_RETURN(node, parse_call(std::move(node), start));
      } else {
        return node;
      }
    }
  }

  bool at_slice_end() const { return at_op("]") || at_op(","); }

  // After `[`: an index, a tuple of indexes, or a slice `a:b:c` with any part left out.
  Result<ExprPtr> parse_subscript(Pos pos, ExprPtr object) {
    ExprPtr start;
    if (!at_op(":")) {
      COWORK_ASSIGN_OR_RETURN(start, parse_tuple(false, true, {}));
      if (!at_op(":")) {
        COWORK_TRY(expect_op("]"));
        return std::make_unique<Item>(pos, std::move(object), std::move(start));
      }
    }
    auto slice = std::make_unique<Slice>(pos);
    slice->object = std::move(object);
    slice->start = std::move(start);
    next();  // ':'
    if (!at_slice_end() && !at_op(":")) {
      COWORK_ASSIGN_OR_RETURN(slice->stop, parse_expression(true));
    }
    if (at_op(":")) {
      next();
      if (!at_slice_end()) {
        COWORK_ASSIGN_OR_RETURN(slice->step, parse_expression(true));
      }
    }
    COWORK_TRY(expect_op("]"));
    return slice;
  }

  Status parse_arguments(Arguments& args) {
    COWORK_TRY(expect_op("("));
    bool first = true;
    while (!at_op(")")) {
      if (!first) COWORK_TRY(expect_op(","));
      first = false;
      if (at_op(")")) break;
      if (at_op("*") || at_op("**")) return fail_at(peek(), "*args and **kwargs in calls are not supported");
      if (peek().type == TokenType::name && at_op("=", 1)) {
        const Token& name_token = next();
        next();
        COWORK_ASSIGN_OR_RETURN(auto value, parse_expression(true));
        for (const auto& [name, unused] : args.keyword)
          if (name == name_token.text)
            return fail_at(name_token, fmt::format("keyword argument '{}' repeated", name_token.text));
        args.keyword.emplace_back(std::string(name_token.text), std::move(value));
      } else {
        const Token& token = peek();
        COWORK_ASSIGN_OR_RETURN(auto value, parse_expression(true));
        if (!args.keyword.empty()) return fail_at(token, "a positional argument follows a keyword argument");
        args.positional.push_back(std::move(value));
      }
    }
    next();
    return {};
  }

  Result<ExprPtr> parse_call(ExprPtr callee, Pos start) {
    auto call = std::make_unique<Call>(start);
    call->callee = std::move(callee);
    COWORK_TRY(parse_arguments(call->args));
    return call;
  }

  Result<std::string> parse_dotted_name(std::string_view what) {
    COWORK_ASSIGN_OR_RETURN(std::string name, expect_identifier(what));
    while (at_op(".") && peek(1).type == TokenType::name) {
      next();
      name += '.';
      name += next().text;
    }
    return name;
  }

  // `| f(args) | g ...` applied to `value` (null for filter blocks).
  Result<ExprPtr> parse_filter_chain(ExprPtr value, bool leading_pipe = true) {
    bool first = true;
    while (first || at_op("|")) {
      if (!first || leading_pipe) COWORK_TRY(expect_op("|"));
      first = false;
      auto filter = std::make_unique<Filter>(pos_of(peek()));
      COWORK_ASSIGN_OR_RETURN(filter->name, parse_dotted_name("a filter name"));
      if (at_op("(")) COWORK_TRY(parse_arguments(filter->args));
      filter->value = std::move(value);
      value = std::move(filter);
    }
    return value;
  }

  Result<ExprPtr> parse_filter_expr(ExprPtr node, Pos start) {
    while (true) {
      if (at_op("|")) {
        next();
        auto filter = std::make_unique<Filter>(pos_of(peek()));
        COWORK_ASSIGN_OR_RETURN(filter->name, parse_dotted_name("a filter name"));
        if (at_op("(")) COWORK_TRY(parse_arguments(filter->args));
        filter->value = std::move(node);
        node = std::move(filter);
      } else if (at_name("is")) {
        next();
        auto test = std::make_unique<Test>(pos_of(peek()));
        if (at_name("not")) {
          next();
          test->negated = true;
          test->pos = pos_of(peek());
        }
        COWORK_ASSIGN_OR_RETURN(test->name, parse_dotted_name("a test name"));
        const Token& token = peek();
        if (at_name("is")) return fail_at(token, "tests cannot be chained with 'is'");
        if (at_op("(")) {
          COWORK_TRY(parse_arguments(test->args));
        } else if ((token.type == TokenType::name || token.type == TokenType::string ||
                    token.type == TokenType::integer || token.type == TokenType::floating || at_op("[") ||
                    at_op("{")) &&
                   !at_name("else") && !at_name("or") && !at_name("and") && !at_name("if") && !at_name("is") &&
                   !at_name("in") && !at_name("not")) {
          // `x is divisibleby 3`: one argument without parentheses.
          COWORK_ASSIGN_OR_RETURN(auto arg, parse_primary());
          COWORK_ASSIGN_OR_RETURN(arg, parse_postfix(std::move(arg), pos_of(token)));
          test->args.positional.push_back(std::move(arg));
        }
        test->value = std::move(node);
        node = std::move(test);
      } else if (at_op("(")) {
        COWORK_ASSIGN_OR_RETURN(node, parse_call(std::move(node), start));
      } else {
        return node;
      }
    }
  }

  TemplateData& m_data;
  std::vector<Token> m_tokens;
  const LineIndex& m_lines;
  const ParseOptions& m_options;
  std::size_t m_pos = 0;
  std::size_t m_depth = 0;
  std::vector<MacroSignature*> m_macro_stack;
};

}  // namespace

std::string_view to_string(BlockKind kind) {
  switch (kind) {
    case BlockKind::macro:
      return "macro";
    case BlockKind::test:
      return "test";
    case BlockKind::materialization:
      return "materialization";
    case BlockKind::snapshot:
      return "snapshot";
    case BlockKind::docs:
      return "docs";
  }
  return "block";
}

Result<Template> Template::parse(std::string_view source, std::string name, const ParseOptions& options) {
  // Nothing thrown below (an allocation failure) may cross the API.
  try {
    return parse_unguarded(source, std::move(name), options);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::internal, "parsing a template: unexpected failure: {}", e.what());
  }
}

Result<Template> Template::parse_unguarded(std::string_view source, std::string name, const ParseOptions& options) {
  auto data = std::make_shared<TemplateData>();
  data->name = std::move(name);
  data->source = normalise_source(source);
  const LineIndex lines(data->source);
  COWORK_ASSIGN_OR_RETURN(auto tokens, tokenize(data->source, data->name, lines));
  Parser parser(*data, std::move(tokens), lines, options);
  COWORK_TRY(parser.run());
  return Template(std::move(data));
}

const std::string& Template::name() const {
  return m_data->name;
}

const std::vector<BlockInfo>& Template::blocks() const {
  return m_data->blocks;
}

}  // namespace cowork::jinja
