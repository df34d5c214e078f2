// The syntax tree of a parsed template. Internal to the engine: the parser builds it, the renderer walks it, and
// Template owns it. Every node carries the line and column where it starts, for error messages.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "jinja/value.hpp"

namespace cowork::jinja::ast {

struct Pos {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

enum class ExprKind : std::uint8_t {
  literal,
  name,
  list,
  tuple,
  dict,
  attribute,
  item,
  slice,
  call,
  filter,
  test,
  negate,
  plus,
  not_,
  binary,
  and_,
  or_,
  compare,
  conditional,
};

struct Expr {
  Expr(ExprKind k, Pos p) : kind(k), pos(p) {}
  virtual ~Expr() = default;
  ExprKind kind;
  Pos pos;
};
using ExprPtr = std::unique_ptr<Expr>;

struct Literal : Expr {
  Literal(Pos p, Value v) : Expr(ExprKind::literal, p), value(std::move(v)) {}
  Value value;
};

struct Name : Expr {
  Name(Pos p, std::string n) : Expr(ExprKind::name, p), name(std::move(n)) {}
  std::string name;
};

// A list or tuple display.
struct Sequence : Expr {
  Sequence(ExprKind k, Pos p) : Expr(k, p) {}
  std::vector<ExprPtr> items;
};

struct DictDisplay : Expr {
  explicit DictDisplay(Pos p) : Expr(ExprKind::dict, p) {}
  std::vector<std::pair<ExprPtr, ExprPtr>> items;
};

struct Attribute : Expr {
  Attribute(Pos p, ExprPtr o, std::string n) : Expr(ExprKind::attribute, p), object(std::move(o)), name(std::move(n)) {}
  ExprPtr object;
  std::string name;
};

struct Item : Expr {
  Item(Pos p, ExprPtr o, ExprPtr k) : Expr(ExprKind::item, p), object(std::move(o)), key(std::move(k)) {}
  ExprPtr object;
  ExprPtr key;
};

struct Slice : Expr {
  explicit Slice(Pos p) : Expr(ExprKind::slice, p) {}
  ExprPtr object;
  ExprPtr start, stop, step;  // each may be null
};

struct Arguments {
  std::vector<ExprPtr> positional;
  std::vector<std::pair<std::string, ExprPtr>> keyword;
};

struct Call : Expr {
  explicit Call(Pos p) : Expr(ExprKind::call, p) {}
  ExprPtr callee;
  Arguments args;
};

// `value | name(args)`; in a {% filter %} block or a block set, `value` is null and the body is filtered.
struct Filter : Expr {
  explicit Filter(Pos p) : Expr(ExprKind::filter, p) {}
  ExprPtr value;
  std::string name;
  Arguments args;
};

struct Test : Expr {
  explicit Test(Pos p) : Expr(ExprKind::test, p) {}
  ExprPtr value;
  std::string name;
  Arguments args;
  bool negated = false;
};

struct Unary : Expr {
  Unary(ExprKind k, Pos p, ExprPtr o) : Expr(k, p), operand(std::move(o)) {}
  ExprPtr operand;
};

enum class BinaryOp : std::uint8_t { add, sub, mul, div, floordiv, mod, pow, concat };

struct Binary : Expr {
  Binary(Pos p, BinaryOp o, ExprPtr l, ExprPtr r)
      : Expr(ExprKind::binary, p), op(o), left(std::move(l)), right(std::move(r)) {}
  BinaryOp op;
  ExprPtr left, right;
};

// `and` / `or`, short-circuiting.
struct Logical : Expr {
  Logical(ExprKind k, Pos p, ExprPtr l, ExprPtr r) : Expr(k, p), left(std::move(l)), right(std::move(r)) {}
  ExprPtr left, right;
};

enum class CompareOp : std::uint8_t { eq, ne, lt, le, gt, ge, in, not_in };

struct Compare : Expr {
  explicit Compare(Pos p) : Expr(ExprKind::compare, p) {}
  ExprPtr first;
  std::vector<std::pair<CompareOp, ExprPtr>> rest;  // chained as in Python: a < b < c
  std::vector<Pos> op_pos;
};

struct Conditional : Expr {
  explicit Conditional(Pos p) : Expr(ExprKind::conditional, p) {}
  ExprPtr test, then, otherwise;  // otherwise may be null: the result is then undefined
};

// ---- statements ----

enum class StmtKind : std::uint8_t {
  text,
  output,
  if_,
  for_,
  set,
  set_block,
  macro,
  call_block,
  do_,
  filter_block,
  with,
  scope_block,  // a body rendered in place in its own scope: {% snapshot %}, {% block %}, {% autoescape %}
};

struct Stmt {
  Stmt(StmtKind k, Pos p) : kind(k), pos(p) {}
  virtual ~Stmt() = default;
  StmtKind kind;
  Pos pos;
};
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Text : Stmt {
  Text(Pos p, std::string t) : Stmt(StmtKind::text, p), text(std::move(t)) {}
  std::string text;
};

struct Output : Stmt {
  Output(Pos p, ExprPtr e) : Stmt(StmtKind::output, p), expr(std::move(e)) {}
  ExprPtr expr;
};

struct If : Stmt {
  explicit If(Pos p) : Stmt(StmtKind::if_, p) {}
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body otherwise;
};

// Where an assignment or a loop puts its value: a name, a namespace attribute, or a tuple to unpack into.
struct Target {
  enum class Kind : std::uint8_t { name, attribute, tuple };
  Kind kind = Kind::name;
  Pos pos;
  std::string name;       // the variable (for attribute: the namespace variable)
  std::string attribute;  // for attribute targets
  std::vector<Target> items;
};

struct For : Stmt {
  explicit For(Pos p) : Stmt(StmtKind::for_, p) {}
  Target target;
  ExprPtr iterable;
  ExprPtr condition;  // may be null
  Body body;
  Body otherwise;
  bool recursive = false;
};

struct Set : Stmt {
  explicit Set(Pos p) : Stmt(StmtKind::set, p) {}
  Target target;
  ExprPtr value;
};

struct SetBlock : Stmt {
  explicit SetBlock(Pos p) : Stmt(StmtKind::set_block, p) {}
  Target target;
  ExprPtr filter;  // a chain of Filter nodes whose innermost value is null; may be null
  Body body;
};

struct Parameter {
  std::string name;
  ExprPtr default_value;  // may be null
};

// What a macro, a test block, a materialization and a call block's caller share.
struct MacroSignature {
  std::string name;
  std::vector<Parameter> params;
  Body body;
  bool uses_varargs = false;
  bool uses_kwargs = false;
  bool uses_caller = false;
};

enum class MacroKind : std::uint8_t { macro, test, materialization };

struct MacroDef : Stmt {
  explicit MacroDef(Pos p) : Stmt(StmtKind::macro, p) {}
  MacroKind macro_kind = MacroKind::macro;
  MacroSignature signature;  // signature.name is the registered name (test_<name>, materialization_<name>_<adapter>)
};

struct CallBlock : Stmt {
  explicit CallBlock(Pos p) : Stmt(StmtKind::call_block, p) {}
  ExprPtr call;           // the Call node
  MacroSignature caller;  // the body as `caller`
};

struct Do : Stmt {
  Do(Pos p, ExprPtr e) : Stmt(StmtKind::do_, p), expr(std::move(e)) {}
  ExprPtr expr;
};

struct FilterBlock : Stmt {
  explicit FilterBlock(Pos p) : Stmt(StmtKind::filter_block, p) {}
  ExprPtr filter;  // chain of Filter nodes whose innermost value is null
  Body body;
};

struct With : Stmt {
  explicit With(Pos p) : Stmt(StmtKind::with, p) {}
  std::vector<std::pair<Target, ExprPtr>> assignments;
  Body body;
};

struct ScopeBlock : Stmt {
  explicit ScopeBlock(Pos p) : Stmt(StmtKind::scope_block, p) {}
  Body body;
};

}  // namespace cowork::jinja::ast
