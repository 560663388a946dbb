# Sourced by the command-line tests that need the prepared data folder: `need_data FILE...`
# (relative to it) prints "skipped: no data" and exits 0 when one is missing; then a scratch
# folder $tmp (removed at exit), $py, and check NAME STATUS [DETAILS] counting passes and fails
# (end a test with `finish`). Expects $2 = the source folder (data/ unless DEPTHSTYLE_PREPARED).
data="${DEPTHSTYLE_PREPARED:-$2/data}"
need_data() {
  for f in "$@"; do
    [ -f "$data/$f" ] || { echo "skipped: no data ($data/$f missing; run scripts/prepare-data)"; exit 0; }
  done
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
}
export OMP_WAIT_POLICY=passive
py=/usr/bin/python3
fails=0 passes=0
check() {  # check NAME CONDITION-EXIT-STATUS [DETAILS]
  if [ "$2" -eq 0 ]; then passes=$((passes + 1)); echo "ok: $1"; else fails=$((fails + 1)); echo "FAILED: $1 ${3:-}"; fi
}
finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}
