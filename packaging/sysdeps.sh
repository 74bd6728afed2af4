#!/usr/bin/env bash
# Installs (as root) or names (otherwise) the Debian/Ubuntu packages Victim Log needs
# outside Python: Qt's runtime libraries, and the tools the tests use as independent
# checkers (minisign, ssh-keygen, pdftotext). `sysdeps.sh bench` adds the benchmark
# reference tools (openssl, age, hyperfine-free: we time ourselves).
set -euo pipefail

need=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_cmd() { command -v "$1" >/dev/null 2>&1; }

have_lib libEGL.so.1        || need+=(libegl1)
have_lib libGL.so.1         || need+=(libgl1)
have_lib libxkbcommon.so.0  || need+=(libxkbcommon0)
have_lib libfontconfig.so.1 || need+=(libfontconfig1)
have_lib libdbus-1.so.3     || need+=(libdbus-1-3)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
# The xcb platform plugin (a real desktop; tests use offscreen and need none of these).
for lib in libxcb-cursor0:libxcb-cursor.so.0 libxcb-icccm4:libxcb-icccm.so.4 \
           libxcb-keysyms1:libxcb-keysyms.so.1 libxcb-render-util0:libxcb-render-util.so.0 \
           libxcb-shape0:libxcb-shape.so.0 libxcb-xkb1:libxcb-xkb.so.1 \
           libxkbcommon-x11-0:libxkbcommon-x11.so.0 libxcb-image0:libxcb-image.so.0 \
           libxcb-randr0:libxcb-randr.so.0; do
    have_lib "${lib#*:}" || need+=("${lib%%:*}")
done
have_cmd minisign   || need+=(minisign)
have_cmd ssh-keygen || need+=(openssh-client)
have_cmd pdftotext  || need+=(poppler-utils)
# ProofMode's OpenPGP signatures are checked with gpgv (import --format proofmode).
have_cmd gpgv       || need+=(gpgv)
have_cmd desktop-file-validate || need+=(desktop-file-utils)
have_cmd appstreamcli || need+=(appstream)
if [ "${1:-}" = bench ]; then
    have_cmd openssl || need+=(openssl)
    have_cmd age     || need+=(age)
fi

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && have_cmd apt-get; then
    echo "Installing system packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
    echo "Victim Log needs these system packages: ${need[*]}" >&2
    echo "Install them with: sudo apt-get install ${need[*]}" >&2
    exit 1
fi
