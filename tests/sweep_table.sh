#!/usr/bin/env bash
# tools/sweep-table on a fixture: the table it prints, and its errors.
set -euo pipefail
root=$1
data=$root/tests/data/sweep-table
out=$("$root/tools/sweep-table" "$data/aggregate.csv" apps.a.mean_ms cost.per_request_usd.total \
	partition.split_share x)
diff <(printf '%s\n' "$out") "$data/expected.md"
set +e
msg=$("$root/tools/sweep-table" "$data/expected.md" apps.a.mean_ms 2>&1 >/dev/null)
rc=$?
set -e
[ "$rc" -eq 3 ] || { echo "not a CSV: exit $rc, expected 3" >&2; exit 1; }
case $msg in
*"expected.md: not a sweep aggregate.csv header"*) ;;
*) echo "not a CSV: message \"$msg\"" >&2; exit 1 ;;
esac
quoted=$(mktemp)
trap 'rm -f "$quoted"' EXIT
printf 'point,e,policy,metric,n,mean,ci95_half_width\n0,"a,b",p,m,1,2,\n' >"$quoted"
set +e
out=$("$root/tools/sweep-table" "$quoted" m 2>/dev/null)
rc=$?
set -e
[ "$rc" -eq 3 ] && [ -z "$out" ] || { echo "quoted cell: exit $rc, output \"$out\"" >&2; exit 1; }
set +e
"$root/tools/sweep-table" "$data/aggregate.csv" 2>/dev/null
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "no metric: exit $rc, expected 2" >&2; exit 1; }
echo ok
