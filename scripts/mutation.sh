#!/usr/bin/env bash
# Mutation testing of the pure-logic code (dotnet-stryker, pinned in dotnet-tools.json): each target below mutates
# some source files of one project and runs one unit-test project against every mutant. Not run by CI (minutes per
# target); run it after changing parsing, coercion, report shaping or settings, and update the README's score.
#   scripts/mutation.sh            every target
#   scripts/mutation.sh parsing    one target (parsing, settings, queue-policy, reporting)
# Reports: artifacts/mutation/<target>/reports/mutation-report.html (and .json); the score is printed at the end.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# target: the unit-test project that runs against the mutants (the configuration names the project mutated)
declare -A tests=(
  [parsing]=tests/Sparkify.Warehouse.Tests
  [settings]=tests/Sparkify.Pipeline.Tests
  [queue-policy]=tests/Sparkify.Pipeline.Tests
  [reporting]=tests/Sparkify.Reporting.Tests
)
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(parsing settings queue-policy reporting)

dotnet tool restore >/dev/null
summary=()
for target in "${targets[@]}"; do
  [[ -n "${tests[$target]:-}" ]] || { echo "unknown target: $target (one of: ${!tests[*]})" >&2; exit 2; }
  log="artifacts/mutation/$target/stryker.log"
  mkdir -p "artifacts/mutation/$target"
  echo "== $target: mutants of build/mutation/$target.json against ${tests[$target]}"
  (cd "${tests[$target]}" && dotnet stryker --config-file "$root/build/mutation/$target.json" \
      --output "$root/artifacts/mutation/$target" --concurrency "${STRYKER_CONCURRENCY:-2}") > "$log" 2>&1 \
    || { tail -20 "$log" >&2; exit 1; }
  score=$(grep -o 'final mutation score is [0-9.]* %' "$log" | grep -o '[0-9.]* %')
  summary+=("$target: $score")
done
printf '%s\n' "${summary[@]}"
