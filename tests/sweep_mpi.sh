#!/bin/sh
# sweep_mpi.sh TIERSIM MPIRUN SWEEP: runs SWEEP serially and under
# `mpirun -n 2` and fails unless runs.csv, aggregate.csv and manifest.json
# are byte-identical.
set -eu
tiersim=$1
mpirun=$2
sweep=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# As root Open MPI refuses to start without these; they change nothing
# otherwise.  --oversubscribe: the machine may have fewer cores than ranks.
flags=
if [ "$(id -u)" -eq 0 ]; then
	flags="--allow-run-as-root --oversubscribe"
fi
"$tiersim" sweep "$sweep" -o "$dir/serial" --quiet
# shellcheck disable=SC2086
"$mpirun" $flags -n 2 "$tiersim" sweep "$sweep" -o "$dir/mpi" --quiet
for f in runs.csv aggregate.csv manifest.json; do
	if ! cmp "$dir/serial/$f" "$dir/mpi/$f"; then
		echo "sweep_mpi: $f differs between the serial run and mpirun -n 2" >&2
		exit 1
	fi
done
echo "sweep_mpi: runs.csv, aggregate.csv and manifest.json identical"
