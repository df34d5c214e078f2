#!/usr/bin/env bash
# Installs what building and testing cowork needs and is missing: Debian packages (with apt-get, once) and DuckDB's
# shared library from the npm registry, unpacked into third_party/duckdb/. Safe to run again: it only does what is
# missing. Used by `make build`, `make test` and `make demo`.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
duckdb_version="1.5.6-r.1"   # @duckdb/node-bindings-linux-*: ships libduckdb.so v1.5.6

debian_packages=(
  build-essential cmake ninja-build pkg-config git python3 nodejs npm
  libsimdjson-dev nlohmann-json3-dev libyaml-cpp-dev libfmt-dev libcli11-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev libpq-dev postgresql libcurl4-openssl-dev
)

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

missing=()
for package in "${debian_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
# nodejs/npm may come from elsewhere (nvm, NodeSource): a working npm on PATH is enough.
if command -v npm >/dev/null 2>&1; then
  filtered=()
  for package in "${missing[@]}"; do [[ "$package" == nodejs || "$package" == npm ]] || filtered+=("$package"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if ((${#missing[@]} > 0)); then
  say "installing Debian packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "setup: these packages are missing and this user cannot install them (not root, no sudo):" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

case "$(uname -m)" in
  x86_64 | amd64) duckdb_package="@duckdb/node-bindings-linux-x64" ;;
  aarch64 | arm64) duckdb_package="@duckdb/node-bindings-linux-arm64" ;;
  *) duckdb_package="" ;;
esac
duckdb_dir="$root/third_party/duckdb"
if [[ -n "$duckdb_package" ]]; then
  if [[ -f "$duckdb_dir/libduckdb.so" && "$(cat "$duckdb_dir/VERSION" 2>/dev/null)" == "$duckdb_version" ]]; then
    :
  else
    say "fetching libduckdb.so from npm ($duckdb_package@$duckdb_version)"
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    # npm pack verifies the tarball against the registry's integrity hash.
    (cd "$work" && npm pack --silent "$duckdb_package@$duckdb_version" >/dev/null)
    tar -xzf "$work"/*.tgz -C "$work" package/libduckdb.so package/LICENSE
    mkdir -p "$duckdb_dir"
    mv "$work/package/libduckdb.so" "$duckdb_dir/libduckdb.so.tmp"
    mv "$duckdb_dir/libduckdb.so.tmp" "$duckdb_dir/libduckdb.so"
    cp "$work/package/LICENSE" "$duckdb_dir/LICENSE"
    echo "$duckdb_version" >"$duckdb_dir/VERSION"
  fi
else
  say "no DuckDB build for $(uname -m) on npm; DuckDB warehouses will need \$COWORK_DUCKDB_LIBRARY"
fi
