#!/usr/bin/env bash
# Whole-process time and peak memory of every analysis command on estates
# of one size and different shapes: the README's "shapes" tables.
#
#   benches/shapes.sh pools       # 28k entities, pools of 32, 96, 500, 3000 hosts
#   benches/shapes.sh orders      # the bundled 100k estate, cuts up to order 4
#   benches/shapes.sh others      # deep chain, loop, wide quorums, dense hosts
#   benches/shapes.sh recovery    # recovery next to check: pools and the 100k estate
#   benches/shapes.sh all
#
# Each cell is the faster of two runs (GNU time's %e and %M). Needs
# /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
cargo build --release --quiet --bin faultline --example generate
bin=target/release/faultline
gen=target/release/examples/generate
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# best FILE ARGS...: "seconds, MB" of the faster of two runs, and the exit
# status when it is 3 (an analysis limit, which the run reports).
best() {
    local f=$1 b="" rc=0
    shift
    for _ in 1 2; do
        rc=0
        /usr/bin/time -o "$dir/time" -f '%e %M' "$bin" "$@" "$f" --today 2026-01-01 \
            >/dev/null 2>"$dir/err" || rc=$?
        if [ "$rc" -gt 1 ] && [ "$rc" -ne 3 ]; then
            cat "$dir/err" >&2
            return 1
        fi
        local line
        line=$(tail -1 "$dir/time")
        if [ -z "$b" ] || awk -v a="${line%% *}" -v c="${b%% *}" 'BEGIN{exit !(a<c)}'; then
            b=$line
        fi
    done
    awk -v s="${b%% *}" -v k="${b##* }" 'BEGIN{printf "%.2f s, %.0f MB", s, k/1024}'
    if [ "$rc" -eq 3 ]; then printf ' (exit 3)'; fi
}

commands=(
    "check --format json"
    "spof --format json"
    "cuts --max-order 2 --format json"
    "cuts --max-order 3 --format json"
    "availability --format json"
    "risks --format json"
)

# table TITLE FILE...: one row per command, one column per file.
table() {
    local title=$1
    shift
    printf '\n%s\n\n| command |' "$title"
    for f in "$@"; do printf ' %s |' "$(basename "$f" .yaml)"; done
    printf '\n|---|'
    for _ in "$@"; do printf -- '---:|'; done
    printf '\n'
    for c in "${commands[@]}"; do
        printf '| `%s` |' "$c"
        for f in "$@"; do
            # shellcheck disable=SC2086
            printf ' %s |' "$(best "$f" $c)"
        done
        printf '\n'
    done
}

if [[ $what == pools || $what == all ]]; then
    files=()
    for n in 32 96 500 3000; do
        "$gen" --entities 28000 --seed 1 --cluster-hosts "$n" >"$dir/pool-$n.yaml"
        files+=("$dir/pool-$n.yaml")
    done
    table "28,000 entities (about 6,000 hosts and 10,000 floating vms) in pools of N hosts" "${files[@]}"
fi
if [[ $what == orders || $what == all ]]; then
    "$gen" --entities 100000 --seed 1 >"$dir/estate-100k.yaml"
    printf '\nThe bundled 100k estate\n\n| command | time, peak memory |\n|---|---:|\n'
    for c in "cuts --max-order 2 --format json" "cuts --max-order 3 --format json" \
        "cuts --max-order 4 --format json" "availability --order 4 --format json" \
        "risks --order 4 --format json"; do
        # shellcheck disable=SC2086
        printf '| `%s` | %s |\n' "$c" "$(best "$dir/estate-100k.yaml" $c)"
    done
fi
if [[ $what == recovery || $what == all ]]; then
    files=()
    for n in 32 96 500 3000; do
        "$gen" --entities 28000 --seed 1 --cluster-hosts "$n" >"$dir/pool-$n.yaml"
        files+=("$dir/pool-$n.yaml")
    done
    "$gen" --entities 100000 --seed 1 >"$dir/estate-100k.yaml"
    files+=("$dir/estate-100k.yaml")
    commands=("check --format json" "recovery --format json")
    table "Recovery objectives next to a full check: pools of N hosts (28,000 entities), and the 100k estate" "${files[@]}"
fi
if [[ $what == others || $what == all ]]; then
    "$gen" --chain 100000 >"$dir/chain-100k.yaml"
    "$gen" --ring 100000 >"$dir/ring-100k.yaml"
    "$gen" --entities 100000 --seed 1 --quorum 51 >"$dir/quorum-51.yaml"
    "$gen" --entities 100000 --seed 1 --services-per-host 20 >"$dir/dense-20.yaml"
    table "Other shapes of 100k entities: a requires chain, a loop, quorums of 51 instances, 20 services per host" \
        "$dir/chain-100k.yaml" "$dir/ring-100k.yaml" "$dir/quorum-51.yaml" "$dir/dense-20.yaml"
fi
