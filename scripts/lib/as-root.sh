# Sourced by the setup scripts: runs a command as root, through sudo when this is not root (as on
# GitHub's runners), and says plainly what needed root where neither is possible.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo "$@"
  else
    echo "$(basename "$0"): needs root (or passwordless sudo) for: $*" >&2
    return 1
  fi
}

# apt-get install, with the package lists fetched first.
apt_install() {
  echo "$(basename "$0"): installing $*" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
