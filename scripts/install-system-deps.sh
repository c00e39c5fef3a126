#!/usr/bin/env bash
# Install the Debian packages the tests (and the demo's voice) need, only when missing.
# Mosquitto and PostgreSQL are installed but never left running: each test starts its
# own throwaway instance on 127.0.0.1.
set -euo pipefail

need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto mosquitto-clients)
command -v mosquitto_sub >/dev/null 2>&1 || need+=(mosquitto-clients)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v sox >/dev/null 2>&1 || need+=(sox)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
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
  echo "Installing system packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts the services it installs; the tests start their own instances.
  $SUDO service mosquitto stop >/dev/null 2>&1 || true
  $SUDO service postgresql stop >/dev/null 2>&1 || true
fi
