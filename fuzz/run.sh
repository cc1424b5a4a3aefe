#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 60) and prints its executions.
#
#   fuzz/run.sh 300                 # every target, 5 minutes each
#   fuzz/run.sh 600 check parse     # some targets
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Corpora start from the repository's own files: descriptions under
# testdata/ for `parse`, the built-in rules for `rule_file`, config files
# for `config`, recorded vCenter answers for `vsphere_answer`;
# fuzz/dict/faultline.dict holds the formats' keywords, vsphere.dict the
# SOAP answers'. A
# crash leaves its input in fuzz/artifacts/<target>/;
# minimise it with `cargo +nightly fuzz tmin <target> <file>`.
# Not part of .ci/run: fuzzing is open-ended and needs nightly.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(parse check rule_file config vsphere_answer recovery)
fi

seed() {
    local dir="corpus/$1"
    shift
    mkdir -p "$dir"
    local f
    for f in "$@"; do
        [ -f "$f" ] && cp "$f" "$dir/seed-$(cksum <"$f" | cut -d' ' -f1)"
    done
    return 0
}
shopt -s globstar nullglob
seed parse ../testdata/**/*.yaml ../testdata/**/*.yml ../examples/*.yaml
seed rule_file ../rules/*.yaml ../testdata/**/rules/*.yaml ../docs/examples/**/*.yaml
seed config ../testdata/**/faultline.yaml ../tests/fixtures/**/faultline.yaml
seed vsphere_answer ../tests/fixtures/vsphere/**/*.xml

cargo +nightly fuzz build
summary=()
status=0
for t in "${targets[@]}"; do
    log="$(mktemp)"
    echo "== $t: ${secs}s"
    # Byte-level targets get the format's tokens; `check` reads structure.
    dict=()
    case "$t" in
        check) ;;
        vsphere_answer) dict=(-dict="$PWD/dict/vsphere.dict") ;;
        *) dict=(-dict="$PWD/dict/faultline.dict") ;;
    esac
    if cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -print_final_stats=1 "${dict[@]}" >"$log" 2>&1; then
        result="no crash"
    else
        result="CRASH (see fuzz/artifacts/$t/)"
        status=1
        tail -40 "$log"
    fi
    execs="$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | awk '{print $2}')"
    cov="$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')"
    summary+=("$(printf '%-10s %6ss  %12s execs  cov %6s  %s' "$t" "$secs" "${execs:-?}" "${cov:-?}" "$result")")
    rm -f "$log"
done
echo
echo "$(date -u +%Y-%m-%d) fuzz run summary"
printf '%s\n' "${summary[@]}"
exit "$status"
