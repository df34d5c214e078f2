#!/usr/bin/env python3
"""Checks the golden cases against Python's Jinja2, configured as dbt configures it.

Usage: python3 tests/jinja/oracle.py [--write] [case ...]

For every golden case that plain Jinja2 can render (no dbt-only tags such as {% test %} or {% materialization %},
no expected error), renders <case>.jinja with a SandboxedEnvironment with the `do` extension and the same fake dbt
context the C++ runner installs (golden_test.cpp), and compares with <case>.expected. --write creates missing
.expected files from Jinja2's output. Needs `pip install jinja2`; not part of the build or CI.
"""
import json
import pathlib
import sys

from jinja2.sandbox import SandboxedEnvironment
from jinja2 import pass_context

GOLDEN = pathlib.Path(__file__).parent / "golden"
DBT_ONLY = ("{% test ", "{% materialization", "{% snapshot", "{% docs", "{%- test ", "{%- materialization",
            "{%- snapshot", "{%- docs")


class MacroReturn(Exception):
    def __init__(self, value):
        self.value = value


def dbt_return(value=None):
    raise MacroReturn(value)


def wrap_macro(macro):
    """dbt's MacroGenerator: a return() ends the macro with its value."""
    def call(*args, **kwargs):
        try:
            return macro(*args, **kwargs)
        except MacroReturn as e:
            return e.value
    call.__name__ = macro.name
    return call


class Relation:
    def __init__(self, database, schema, identifier):
        self.database, self.schema, self.identifier, self.name = database, schema, identifier, identifier

    def __str__(self):
        return f'"{self.database}"."{self.schema}"."{self.identifier}"'


class Config:
    def __init__(self):
        self.values = {}

    def __call__(self, **kwargs):
        self.values.update(kwargs)
        return ""

    def get(self, name, default=None):
        return self.values.get(name, default)


class Namespace:
    def __init__(self, macros):
        for name, macro in macros.items():
            setattr(self, name, macro)


class Obj:
    def __init__(self, **methods):
        for name, fn in methods.items():
            setattr(self, name, fn)


def make_env():
    env = SandboxedEnvironment(extensions=["jinja2.ext.do"])
    variables = {"start_date": "2024-01-01", "limit": 10}

    def ref(*args):
        return Relation("analytics", "main", args[-1])

    def source(source_name, table_name):
        return Relation("raw", source_name, table_name)

    def var(name, default=None):
        if name in variables:
            return variables[name]
        if default is not None:
            return default
        raise RuntimeError(f"Required var '{name}' not found in config")

    def env_var(name, default=None):
        return "cowork" if name == "DBT_USER" else default

    @pass_context
    def dispatch(context, macro_name, macro_namespace=None):
        for prefix in ("duckdb__", "default__"):
            if macro_namespace:
                ns = context.get(macro_namespace)
                if ns is not None and hasattr(ns, prefix + macro_name):
                    return getattr(ns, prefix + macro_name)
            found = context.get(prefix + macro_name)
            if found is not None:
                return found
        raise RuntimeError(f"No macro named '{macro_name}'")

    env.globals.update(
        ref=ref, source=source, var=var, env_var=env_var, is_incremental=lambda: False, log=lambda *a, **k: "",
        execute=True, config=Config(), this=Relation("analytics", "main", "this_model"), target={"name": "dev", "type": "duckdb", "database": "analytics",
                                               "schema": "main", "threads": 4},
        adapter=Obj(dispatch=dispatch, quote=lambda identifier: f'"{identifier}"'),
        exceptions=Obj(raise_compiler_error=lambda msg: (_ for _ in ()).throw(RuntimeError(msg))),
    )
    env.globals["return"] = dbt_return
    return env


def load_macros(env, name):
    files = sorted(GOLDEN.glob(f"{name}.*.macros"))
    by_namespace = {}
    for path in files:
        ns = path.stem.split(".")[-1]
        module = env.from_string(path.read_text()).make_module()
        macros = {key: wrap_macro(value) for key, value in module.__dict__.items()
                  if hasattr(value, "arguments") and not key.startswith("_")}
        by_namespace.setdefault(ns, {}).update(macros)
    order = sorted(by_namespace, key=lambda ns: (ns != "my_project", ns))
    for ns in reversed(order):
        env.globals.update(by_namespace[ns])
    for ns in order:
        env.globals[ns] = Namespace(by_namespace[ns])


def main():
    write = "--write" in sys.argv
    wanted = [a for a in sys.argv[1:] if not a.startswith("--")]
    failures = checked = 0
    for path in sorted(GOLDEN.glob("*.jinja")):
        name = path.stem
        if wanted and name not in wanted:
            continue
        source = path.read_text()
        expected_path = path.with_suffix(".expected")
        macro_sources = "".join(p.read_text() for p in GOLDEN.glob(f"{name}.*.macros"))
        if path.with_suffix(".error").exists() or any(tag in source + macro_sources for tag in DBT_ONLY) \
                or "dbt-only" in source:
            continue
        env = make_env()
        load_macros(env, name)
        variables = {}
        vars_path = GOLDEN / f"{name}.vars.json"
        if vars_path.exists():
            variables = json.loads(vars_path.read_text())
        try:
            output = env.from_string(source).render(**variables)
        except Exception as e:  # noqa: BLE001
            print(f"ERROR  {name}: {type(e).__name__}: {e}")
            failures += 1
            continue
        checked += 1
        if not expected_path.exists():
            if write:
                expected_path.write_text(output + "\n")
                print(f"WROTE  {name}")
            else:
                print(f"MISSING {name}")
            continue
        if expected_path.read_text() != output + "\n":
            failures += 1
            print(f"DIFF   {name}\n--- jinja2 ---\n{output}\n--- expected ---\n{expected_path.read_text()}")
    print(f"{checked} cases checked against Jinja2, {failures} differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
