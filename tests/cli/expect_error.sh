# Sourced by the command-line tests of bad inputs: `expect_error NAME EXPECTED NOTHING_WRITTEN CMD...`
# runs CMD (at most 120 s), which must exit 1 (or $EXPECT_RC: 2 for a command line that cannot be
# read, apps/common/args.h UsageError), print EXPECTED (a fixed string), and leave the
# shell function NOTHING_WRITTEN succeeding afterwards (no output appeared); it counts $passes
# and $fails and prints one line per case. `check` counts other cases alike. End with `expect_summary`.
fails=0 passes=0
expect_error() {
  local name="$1" want="$2" nothing_written="$3"
  shift 3
  local out rc
  out=$(timeout 120 "$@" 2>&1)
  rc=$?
  if [ $rc -eq "${EXPECT_RC:-1}" ] && grep -qF -- "$want" <<<"$out" && "$nothing_written"; then
    passes=$((passes + 1))
    echo "ok: $name -> $(grep -F 'error' <<<"$out" | head -1)"
  else
    fails=$((fails + 1))
    echo "FAILED: $name (exit $rc, expected ${EXPECT_RC:-1} and '$want')"
    echo "$out" | sed 's/^/    /' | tail -5
  fi
}
# check NAME STATUS DETAILS: a pass when STATUS is 0, else a failure showing DETAILS (indented).
check() {
  if [ "$2" -eq 0 ]; then
    passes=$((passes + 1))
    echo "ok: $1"
  else
    fails=$((fails + 1))
    echo "FAILED: $1"
    echo "$3" | sed 's/^/    /' | tail -8
  fi
}
expect_summary() {
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}
