# Sourced by the setup scripts: packages of any suite of this machine's own Debian mirror, fetched
# and unpacked into a folder without installing them (nothing of the machine's own is replaced).

# The mirror this machine's apt uses (deb822 .sources first, then sources.list).
debian_mirror() {
  local mirror
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || { echo "$(basename "$0"): no Debian mirror found in the apt sources" >&2; return 1; }
  echo "$mirror"
}

# debian_unpack SUITE DEST PACKAGE...: the packages' files under DEST (as dpkg-deb -x lays them).
debian_unpack() {
  local suite=$1 dest=$2 mirror work
  shift 2
  mirror=$(debian_mirror) || return 1
  work=$(mktemp -d)
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$dest"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >"$work/sources.list"
  local opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache")
  # As root apt drops to its _apt user, which cannot write this private folder.
  [ "$(id -u)" != 0 ] || opts+=(-o APT::Sandbox::User=root)
  echo "$(basename "$0"): fetching $* from Debian $suite" >&2
  if ! { apt-get "${opts[@]}" update -qq && (cd "$work/debs" && apt-get "${opts[@]}" download "$@"); } >"$work/log" 2>&1; then
    cat "$work/log" >&2
    rm -rf "$work"
    return 1
  fi
  local deb
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$dest"; done
  rm -rf "$work"
}
