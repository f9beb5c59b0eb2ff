#!/bin/sh
# sweep_mpi.sh TIERSIM MPIRUN SWEEP: runs SWEEP serially and under
# `mpirun -n K` for K = 1, 2, 4 and fails unless runs.csv, aggregate.csv
# and manifest.json are byte-identical.
set -eu
tiersim=$1
mpirun=$2
sweep=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# As root Open MPI refuses to start without --allow-run-as-root;
# --oversubscribe lets 4 ranks start on a machine with fewer cores.
flags=--oversubscribe
if [ "$(id -u)" -eq 0 ]; then
	flags="$flags --allow-run-as-root"
fi
"$tiersim" sweep "$sweep" -o "$dir/serial" --quiet
for k in 1 2 4; do
	# shellcheck disable=SC2086
	"$mpirun" $flags -n "$k" "$tiersim" sweep "$sweep" -o "$dir/mpi-$k" --quiet
	for f in runs.csv aggregate.csv manifest.json; do
		if ! cmp "$dir/serial/$f" "$dir/mpi-$k/$f"; then
			echo "sweep_mpi: $f differs between the serial run and mpirun -n $k" >&2
			exit 1
		fi
	done
done
echo "sweep_mpi: runs.csv, aggregate.csv and manifest.json identical for 1, 2 and 4 ranks"
