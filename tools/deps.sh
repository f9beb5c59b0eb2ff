# Sourced by tools/run and tools/test: makes sure the Debian packages tiersim
# builds with are installed.  As root it installs what is missing with
# apt-get; otherwise it prints the exact command and exits 2.

TIERSIM_REQUIRED_PACKAGES="libgsl-dev libcjson-dev check meson ninja-build pkg-config nettle-dev gcc libopenmpi-dev openmpi-bin libdnnl-dev"

tiersim_missing_packages() {
	local missing="" p
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
			missing="$missing $p"
		fi
	done
	printf '%s' "${missing# }"
}

tiersim_ensure_packages() {
	local missing
	missing=$(tiersim_missing_packages $TIERSIM_REQUIRED_PACKAGES)
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "tiersim needs these Debian packages: $missing" >&2
		echo "install them with:" >&2
		echo "  sudo apt-get install -y $missing" >&2
		exit 2
	fi
	echo "tools: installing $missing" >&2
	apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2
}

# tiersim_build DIR [meson options...]: configures DIR once, applies the
# options on later calls, and builds.
tiersim_build() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir" >&2
}
