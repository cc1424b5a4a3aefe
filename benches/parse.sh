#!/bin/sh
# Reading speed side by side: `faultline check` of one generated estate
# against PyYAML's C loader only loading the same file, interleaved so
# both see the same machine. Usage: benches/parse.sh [entities] [runs]
# (needs python3 with PyYAML built against libyaml: python3-yaml).
set -eu
cd "$(dirname "$0")/.."
n=${1:-47000}
runs=${2:-3}
bin=${FAULTLINE:-target/release/faultline}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cargo build --release --quiet --bin faultline --example generate
target/release/examples/generate --entities "$n" --seed 7 >"$dir/estate.yaml"
ls -l "$dir/estate.yaml" | awk '{printf "%s entities, %.1f MB\n", '"$n"', $5/1e6}'
i=0
while [ "$i" -lt "$runs" ]; do
  /usr/bin/time -f "faultline check: %e s wall, %U s user, %M KB" \
    "$bin" check "$dir/estate.yaml" --format json >/dev/null 2>"$dir/t" || true
  tail -1 "$dir/t"
  /usr/bin/time -f "PyYAML CSafeLoader: %e s wall, %U s user, %M KB" \
    python3 -c 'import sys, yaml; yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)' \
    "$dir/estate.yaml" 2>&1
  i=$((i + 1))
done
