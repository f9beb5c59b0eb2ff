#!/usr/bin/env bash
# bench/sweep_scaling.sh [SWEEP [K...]]: wall time and work items per
# second of SWEEP (default scenarios/sweep-streams.json) run serially and
# under `mpirun -n K` for each K (default 1 2 3), each into a fresh
# temporary directory, and whether every run's runs.csv, aggregate.csv and
# manifest.json equal the serial run's.  Uses build/tiersim.
set -euo pipefail
cd "$(dirname "$0")/.."
sweep=${1:-scenarios/sweep-streams.json}
shift || true
ranks=${*:-1 2 3}
tiersim=build/tiersim
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# --oversubscribe: more ranks than cores; as root Open MPI also wants
# --allow-run-as-root.
flags=--oversubscribe
if [ "$(id -u)" -eq 0 ]; then
	flags="$flags --allow-run-as-root"
fi

# run NAME COMMAND...: times one sweep into $dir/NAME.
run() {
	local name=$1 start end items same=yes f
	shift
	start=$(date +%s.%N)
	"$@" sweep "$sweep" -o "$dir/$name" --quiet >"$dir/$name.out"
	end=$(date +%s.%N)
	items=$(sed -n 's/.* = \([0-9]*\) work items.*/\1/p' "$dir/$name.out")
	for f in runs.csv aggregate.csv manifest.json; do
		cmp -s "$dir/serial/$f" "$dir/$name/$f" || same=no
	done
	awk -v n="$name" -v s="$start" -v e="$end" -v i="$items" -v same="$same" \
		'BEGIN { printf "%-8s %8.2f s %8.1f items/s  identical to serial: %s\n", n, e - s, i / (e - s), same }'
}

echo "sweep $sweep on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run serial "$tiersim"
for k in $ranks; do
	# shellcheck disable=SC2086
	run "n$k" mpirun $flags -n "$k" "$tiersim"
done
