#!/usr/bin/env bash
# Install (or, with --uninstall, remove) the bundle from `make dist` for the current user:
#   the program in $XDG_DATA_HOME/annotator/app, a link in ~/.local/bin, the desktop entry and the icons.
# Data, settings and logs are left alone (they are the user's work); the README says where they are.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
bin="${ANNOTATOR_BIN_DIR:-$HOME/.local/bin}"
app="$data/annotator/app"
icons="$data/icons/hicolor"
sizes="16 24 32 48 64 128 256 512"

uninstall() {
    rm -rf "$app"
    rm -f "$bin/annotator" "$data/applications/annotator.desktop" "$icons/scalable/apps/annotator.svg"
    for size in $sizes; do rm -f "$icons/${size}x${size}/apps/annotator.png"; done
    echo "removed annotator (your databases, settings and logs are kept)"
}

install() {
    local bundle="$here/dist/annotator"
    if [ ! -x "$bundle/annotator" ]; then
        echo "no bundle at $bundle: run 'make dist' first" >&2
        exit 1
    fi
    uninstall >/dev/null
    mkdir -p "$app" "$bin" "$data/applications" "$icons/scalable/apps"
    cp -a "$bundle/." "$app/"
    ln -sfn "$app/annotator" "$bin/annotator"
    sed "s|^Exec=annotator|Exec=$app/annotator|" "$here/packaging/annotator.desktop" > "$data/applications/annotator.desktop"
    cp "$here/annotator/resources/icons/annotator.svg" "$icons/scalable/apps/annotator.svg"
    for size in $sizes; do
        mkdir -p "$icons/${size}x${size}/apps"
        cp "$here/annotator/resources/icons/annotator-$size.png" "$icons/${size}x${size}/apps/annotator.png"
    done
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data/applications" || true
    echo "installed annotator in $app; run it from your applications menu or as $bin/annotator"
}

case "${1:-}" in
    --uninstall) uninstall ;;
    "") install ;;
    *) echo "usage: $0 [--uninstall]" >&2; exit 2 ;;
esac
