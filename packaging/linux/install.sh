#!/usr/bin/env sh
# Install the built SegmentDesk (dist/segmentdesk/) for the current user, or with --system for all
# users, and register it with the desktop: menu entry, icon, "Open With SegmentDesk" for .csv, .tsv,
# .txt and .xlsx files, and the `segmentdesk` command.
#
#   packaging/linux/install.sh [--from DIR] [--prefix DIR] [--bin-dir DIR|none] [--system] [--set-default]
#   packaging/linux/install.sh --uninstall [--prefix DIR] [--bin-dir DIR|none] [--system]
#
#   --from DIR      the built app folder (default: dist/segmentdesk of this checkout)
#   --prefix DIR    where the app folder is copied (default: ~/.local/share/segmentdesk;
#                   with --system: /opt/segmentdesk)
#   --bin-dir DIR   where the `segmentdesk` command link goes (default: ~/.local/bin; with
#                   --system: /usr/local/bin); `none` for no link
#   --system        install for every user (run as root): menu entry and icons in /usr/local/share
#   --set-default   also make SegmentDesk the default app for .csv and .tsv files (never for .txt);
#                   without it SegmentDesk is only offered under "Open With"
#   --uninstall     remove the app folder, the menu entry, the icons and the command link
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
FROM="$REPO/dist/segmentdesk"
PREFIX="" BIN_DIR="" SYSTEM=0 SET_DEFAULT=0 UNINSTALL=0
while [ $# -gt 0 ]; do
    case $1 in
        --from) FROM=$2; shift 2 ;;
        --prefix) PREFIX=$2; shift 2 ;;
        --bin-dir) BIN_DIR=$2; shift 2 ;;
        --system) SYSTEM=1; shift ;;
        --set-default) SET_DEFAULT=1; shift ;;
        --uninstall) UNINSTALL=1; shift ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

if [ $SYSTEM = 1 ]; then
    DATA=/usr/local/share
    PREFIX=${PREFIX:-/opt/segmentdesk}
    BIN_DIR=${BIN_DIR:-/usr/local/bin}
else
    DATA=${XDG_DATA_HOME:-$HOME/.local/share}
    PREFIX=${PREFIX:-$DATA/segmentdesk}
    BIN_DIR=${BIN_DIR:-$HOME/.local/bin}
fi
case $PREFIX in /*) ;; *) PREFIX="$(pwd)/$PREFIX" ;; esac
case $PREFIX in *[\"\`\$\\%]*) echo "install.sh: choose a prefix without \" \` \$ \\ or %" >&2; exit 2 ;; esac
APPS="$DATA/applications"
ICONS="$DATA/icons/hicolor"
SIZES="16 24 32 48 64 128 256"

looks_installed() {  # $1 is empty or holds a SegmentDesk app folder (safe to replace or remove)
    [ ! -e "$1" ] || [ -z "$(ls -A "$1")" ] || { [ -x "$1/segmentdesk" ] && [ -d "$1/_internal" ]; }
}

refresh_desktop() {
    if command -v update-desktop-database > /dev/null 2>&1; then update-desktop-database -q "$APPS" || true; fi
    if command -v gtk-update-icon-cache > /dev/null 2>&1 && [ -f "$ICONS/index.theme" ]; then
        gtk-update-icon-cache -q -t -f "$ICONS" || true
    fi
}

if [ $UNINSTALL = 1 ]; then
    looks_installed "$PREFIX" || { echo "install.sh: $PREFIX does not look like a SegmentDesk folder; not removed" >&2; exit 1; }
    rm -rf "$PREFIX"
    rm -f "$APPS/segmentdesk.desktop" "$ICONS/scalable/apps/segmentdesk.svg"
    for n in $SIZES; do rm -f "$ICONS/${n}x${n}/apps/segmentdesk.png"; done
    if [ "$BIN_DIR" != none ] && [ -L "$BIN_DIR/segmentdesk" ] \
            && [ "$(readlink "$BIN_DIR/segmentdesk")" = "$PREFIX/segmentdesk" ]; then
        rm -f "$BIN_DIR/segmentdesk"
    fi
    # a default set with --set-default (xdg-mime writes mimeapps.list)
    MIMEAPPS="${XDG_CONFIG_HOME:-$HOME/.config}/mimeapps.list"
    [ $SYSTEM = 1 ] || [ ! -f "$MIMEAPPS" ] || sed -i -e 's/segmentdesk\.desktop;\{0,1\}//g' -e '/^[^=[]*=$/d' "$MIMEAPPS"
    refresh_desktop
    echo "SegmentDesk removed from $PREFIX"
    exit 0
fi

[ -x "$FROM/segmentdesk" ] || { echo "install.sh: no built app in $FROM (run 'make build' first, or give --from)" >&2; exit 1; }
looks_installed "$PREFIX" || { echo "install.sh: $PREFIX exists and is not a SegmentDesk folder; choose another --prefix" >&2; exit 1; }

# The app folder: copied next to the old one, then swapped in.
mkdir -p "$(dirname "$PREFIX")"
rm -rf "$PREFIX.new"
cp -R "$FROM" "$PREFIX.new"
rm -rf "$PREFIX"
mv "$PREFIX.new" "$PREFIX"

# Menu entry with the installed path; the file-type list (MimeType=) makes it an "Open With" choice.
mkdir -p "$APPS"
EXEC="$PREFIX/segmentdesk"
case $EXEC in *[[:space:]\'\<\>~\|\&\;\*\?\#\(\)]*) EXEC="\"$EXEC\"" ;; esac  # quoted only when it must be
sed -e "s|^Exec=.*|Exec=$EXEC %F|" -e "s|^TryExec=.*|TryExec=$PREFIX/segmentdesk|" \
    "$HERE/segmentdesk.desktop" > "$APPS/segmentdesk.desktop"
chmod 644 "$APPS/segmentdesk.desktop"

# Icons (the app carries them in its resources)
ICON_SRC="$PREFIX/_internal/resources/icons"
for n in $SIZES; do
    mkdir -p "$ICONS/${n}x${n}/apps"
    cp "$ICON_SRC/segmentdesk-$n.png" "$ICONS/${n}x${n}/apps/segmentdesk.png"
done
mkdir -p "$ICONS/scalable/apps"
cp "$ICON_SRC/segmentdesk.svg" "$ICONS/scalable/apps/segmentdesk.svg"

if [ "$BIN_DIR" != none ]; then
    mkdir -p "$BIN_DIR"
    if [ -e "$BIN_DIR/segmentdesk" ] && [ ! -L "$BIN_DIR/segmentdesk" ]; then
        echo "install.sh: $BIN_DIR/segmentdesk exists and is not a link; left alone" >&2
    else
        ln -sfn "$PREFIX/segmentdesk" "$BIN_DIR/segmentdesk"
    fi
fi

refresh_desktop
if [ $SET_DEFAULT = 1 ]; then
    if command -v xdg-mime > /dev/null 2>&1; then
        xdg-mime default segmentdesk.desktop text/csv text/tab-separated-values
        echo "SegmentDesk is now the default app for .csv and .tsv files"
    else
        echo "install.sh: xdg-mime not found (package xdg-utils); the default app was not changed" >&2
    fi
fi
echo "SegmentDesk installed in $PREFIX; menu entry $APPS/segmentdesk.desktop"
[ "$BIN_DIR" = none ] || echo "command: $BIN_DIR/segmentdesk (segmentdesk FILE… opens the app; segmentdesk --help for the commands)"
