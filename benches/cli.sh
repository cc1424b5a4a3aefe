#!/usr/bin/env bash
# Whole-process timing of `faultline check --format json` on generated
# estates: the numbers of the README's first performance table.
#
#   benches/cli.sh                  # 10k and 100k entities
#   benches/cli.sh 10000 1000000    # chosen sizes
#
# Each size runs twice and the faster run is printed, with the peak
# resident memory (GNU time's %M). Needs /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(10000 100000)
fi
cargo build --release --quiet --bin faultline --example generate
bin=target/release/faultline
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf '| %9s | %9s | %9s | %12s |\n' entities "YAML MB" "wall s" "peak RSS MB"
printf '|%s|%s|%s|%s|\n' ----------- ----------- ----------- --------------
for n in "${sizes[@]}"; do
    f="$dir/estate-$n.yaml"
    target/release/examples/generate --entities "$n" --seed 1 >"$f"
    best=""
    for _ in 1 2; do
        # Exit 1 (findings) is expected; anything else is a failure.
        /usr/bin/time -o "$dir/time" -f '%e %M' "$bin" check "$f" --format json \
            --today 2026-01-01 >/dev/null 2>&1 || [ $? -eq 1 ]
        line=$(tail -1 "$dir/time")
        if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then
            best=$line
        fi
    done
    mb=$(awk -v b="$(wc -c <"$f")" 'BEGIN{printf "%.1f", b/1e6}')
    printf '| %9s | %9s | %9s | %12s |\n' "$n" "$mb" "${best%% *}" \
        "$(awk -v k="${best##* }" 'BEGIN{printf "%.0f", k/1024}')"
done
