#!/usr/bin/env bash
# Install the Debian packages the tests (and the demo's voice) need, only when missing.
# Mosquitto, PostgreSQL and nginx are installed but never left running: each test starts
# its own throwaway instance on 127.0.0.1.
#   install-system-deps.sh          what `make test` needs
#   install-system-deps.sh --demo   what `make demo` needs: Qt's X11 libraries and the
#                                   voice, only when there is a screen to show windows on
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

install() {  # apt-get install the packages named, as root or through sudo
  echo "Installing system packages: $*"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need=()
if [ "${1:-}" = "--demo" ]; then
  if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exit 0  # no screen: the demo runs headless and needs nothing more
  fi
  # Qt 6's xcb platform plugin needs these beside libxcb (Qt's own message names
  # libxcb-cursor0); espeak-ng makes the board's voice clips.
  for pkg in libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
             libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 \
             libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 fonts-dejavu-core espeak-ng; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  if [ ${#need[@]} -gt 0 ]; then
    install "${need[@]}"
  fi
  exit 0
fi
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v mosquitto_sub >/dev/null 2>&1 || need+=(mosquitto-clients)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
# nginx: the reverse proxy of docs/deploy.md; a test runs a request through it.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v sox >/dev/null 2>&1 || need+=(sox)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
# The web pages' browser tests and the reports' PDF (printed by headless Chromium);
# pdftoppm turns a PDF page into a PNG in the tests.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# Qt's offscreen platform still loads these shared libraries.
for lib in libEGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libGL.so.1 libdbus-1.so.3; do
  if ! ldconfig -p | grep -q "$lib"; then
    case "$lib" in
      libEGL.so.1) need+=(libegl1) ;;
      libxkbcommon.so.0) need+=(libxkbcommon0) ;;
      libfontconfig.so.1) need+=(libfontconfig1) ;;
      libGL.so.1) need+=(libgl1) ;;
      libdbus-1.so.3) need+=(libdbus-1-3) ;;
    esac
  fi
done

if [ ${#need[@]} -gt 0 ]; then
  install "${need[@]}"
  # Debian starts the services it installs; the tests start their own instances.
  $SUDO service mosquitto stop >/dev/null 2>&1 || true
  $SUDO service postgresql stop >/dev/null 2>&1 || true
  $SUDO service nginx stop >/dev/null 2>&1 || true
fi
