#!/usr/bin/env bash
# Smoke test of the frozen app (`make build-smoke`, after `make build`; not part of `make test`).
#
#   packaging/smoke_frozen.sh [APP_FOLDER]      (default dist/segmentdesk)
#
# Runs the built binary headless on the demo exports: the PDF report (valid, fonts embedded), the
# Chinese report with the system's fonts hidden (so only the bundled fonts can render it), the core
# commands (import --json, segment, plan, trends, export CSV/XLSX, demo), and the GUI offscreen with
# --smoke (English, and Chinese without system fonts), saving screenshots. Every run gets a private
# HOME; afterwards nothing in APP_FOLDER may be new or changed, and (when strace is installed) no
# run may have opened an internet socket. Output folder: $SMOKE_OUT or a new /tmp/segmentdesk-smoke.*
set -uo pipefail
cd "$(dirname "$0")/.."

APP=${1:-dist/segmentdesk}
BIN="$APP/segmentdesk"
[ -x "$BIN" ] || { echo "smoke: no $BIN; run 'make build' first" >&2; exit 1; }
OUT=${SMOKE_OUT:-$(mktemp -d /tmp/segmentdesk-smoke.XXXXXX)}
OUT=$(cd "$OUT" && pwd)  # absolute: the runs below may change directory
mkdir -p "$OUT/home" "$OUT/net"
DEMO=(resources/demo/*.csv)

export HOME="$OUT/home" XDG_CONFIG_HOME="$OUT/home/.config" XDG_CACHE_HOME="$OUT/home/.cache" \
       XDG_DATA_HOME="$OUT/home/.local/share" XDG_RUNTIME_DIR="$OUT/home/runtime"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset DISPLAY WAYLAND_DISPLAY
export QT_QPA_PLATFORM=offscreen SEGMENTDESK_LANG=en

# A fontconfig setup that sees no font at all: what a machine without the CJK and DejaVu fonts has.
cat > "$OUT/no-system-fonts.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>$OUT/empty-font-dir</dir><cachedir>$OUT/home/.cache/fontconfig</cachedir></fontconfig>
EOF
mkdir -p "$OUT/empty-font-dir"

FAILED=0
pass() { echo "  ok: $*"; }
fail() { echo "  FAILED: $*"; FAILED=1; }
STRACE=()
if command -v strace > /dev/null && strace -f -qq --seccomp-bpf -e trace=socket -o /dev/null true 2> /dev/null; then
    STRACE=(strace -f -qq --seccomp-bpf -e trace=socket,connect)
else
    echo "smoke: strace not available, the network check is skipped"
fi

# run NAME COMMAND…: run with its stdout/stderr in $OUT/NAME.out/.err, socket calls traced
run() {
    local name=$1; shift
    local start=$EPOCHREALTIME
    if [ ${#STRACE[@]} -gt 0 ]; then
        "${STRACE[@]}" -o "$OUT/net/$name.txt" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
    else
        "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
    fi
    local status=$?
    printf '== %s: exit %d in %.1f s\n' "$name" "$status" "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
    return $status
}

# fonts_ok PDF NAME…: the PDF is valid, every font is embedded, and each NAME is one of them
fonts_ok() {
    local pdf=$1; shift
    pdfinfo "$pdf" > "$pdf.info" 2>&1 && grep -q '^Pages: *[1-9]' "$pdf.info" \
        && pass "pdfinfo: $(grep '^Pages' "$pdf.info" | tr -s ' ')" || fail "pdfinfo $pdf"
    pdffonts "$pdf" > "$pdf.fonts" 2>&1 || { fail "pdffonts $pdf"; return; }
    sed 's/^/      /' "$pdf.fonts"
    # columns: name type… encoding emb sub uni object ID; emb is the fifth from the end
    awk 'NR > 2 && $(NF-4) != "yes" { bad = 1 } END { exit bad }' "$pdf.fonts" \
        && pass "every font embedded" || fail "a font of $pdf is not embedded"
    for font in "$@"; do
        grep -q "$font" "$pdf.fonts" && pass "$font in the PDF" || fail "$font missing from $pdf"
    done
}

touch "$OUT/start-marker"
sleep 1  # file times of the runs below are later than the marker

echo "smoke: $BIN -> $OUT"
run report "$BIN" report "${DEMO[@]}" -o "$OUT/summary.pdf" && pass "$(cat "$OUT/report.out")" \
    || fail "report: $(tail -n 3 "$OUT/report.err")"
fonts_ok "$OUT/summary.pdf" DejaVuSans

FONTCONFIG_FILE="$OUT/no-system-fonts.conf" run report-zh-bundled-fonts \
    "$BIN" --lang zh_CN report "${DEMO[@]}" -o "$OUT/summary-zh.pdf" \
    && pass "$(cat "$OUT/report-zh-bundled-fonts.out")" || fail "zh report: $(tail -n 3 "$OUT/report-zh-bundled-fonts.err")"
fonts_ok "$OUT/summary-zh.pdf" NotoSansCJK DejaVuSans

run import-json "$BIN" import "${DEMO[@]}" --json && python3 - "$OUT/import-json.out" <<'EOF' && pass "import --json: one JSON object with the documented keys" || fail "import --json"
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
missing = {"files", "orders", "orders_by_status", "customers", "net_sales", "problems"} - set(data)
assert not missing, missing
assert data["orders"] > 0 and data["customers"] > 0, data
print(f"  import: {len(data['files'])} files, {data['orders']} orders, {data['customers']} customers")
EOF

run segment "$BIN" segment "${DEMO[@]}" --map clusters --json && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['segments']" "$OUT/segment.out" \
    && pass "segment --map clusters --json (scikit-learn)" || fail "segment: $(tail -n 3 "$OUT/segment.err")"
run plan "$BIN" plan "${DEMO[@]}" --json && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['scorecard']" "$OUT/plan.out" \
    && pass "plan --json" || fail "plan: $(tail -n 3 "$OUT/plan.err")"
run trends "$BIN" trends "${DEMO[@]}" --json && python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$OUT/trends.out" \
    && pass "trends --json (statsmodels, scipy)" || fail "trends: $(tail -n 3 "$OUT/trends.err")"
run export-xlsx "$BIN" export "${DEMO[@]}" --all -o "$OUT/customers.xlsx" && python3 -c "import zipfile,sys; assert zipfile.ZipFile(sys.argv[1]).testzip() is None" "$OUT/customers.xlsx" \
    && pass "export .xlsx: $(cat "$OUT/export-xlsx.out")" || fail "export xlsx: $(tail -n 3 "$OUT/export-xlsx.err")"
run export-csv "$BIN" export "${DEMO[@]}" --all -o "$OUT/customers.csv" && pass "export .csv: $(wc -l < "$OUT/customers.csv") lines" \
    || fail "export csv: $(tail -n 3 "$OUT/export-csv.err")"
run demo "$BIN" demo "$OUT/demo" && pass "demo: $(ls "$OUT/demo" | wc -l) files" || fail "demo: $(tail -n 3 "$OUT/demo.err")"
if [ -x "$APP/segmentdesk-cli" ]; then
    run cli-exe "$APP/segmentdesk-cli" import "${DEMO[@]}" --json && pass "segmentdesk-cli import --json" || fail "segmentdesk-cli"
fi

run gui-smoke "$BIN" --smoke "${DEMO[@]}" --shots "$OUT/shots" && pass "GUI --smoke: $(tr '\n' ' ' < "$OUT/gui-smoke.out")" \
    || fail "GUI --smoke: $(tail -n 5 "$OUT/gui-smoke.out" "$OUT/gui-smoke.err")"
# a first start in Chinese (its own settings: the run above saved English as the language)
SEGMENTDESK_LANG=zh_CN LANG=zh_CN.UTF-8 SEGMENTDESK_CONFIG_DIR="$OUT/home/.config/SegmentDesk-zh" \
    FONTCONFIG_FILE="$OUT/no-system-fonts.conf" run gui-smoke-zh-bundled-fonts \
    "$BIN" --smoke "${DEMO[@]}" --shots "$OUT/shots-zh" && pass "GUI --smoke in Chinese with the bundled fonts only" \
    || fail "GUI --smoke zh: $(tail -n 5 "$OUT/gui-smoke-zh-bundled-fonts.out" "$OUT/gui-smoke-zh-bundled-fonts.err")"

echo "== the app folder and the network"
changed=$(find "$APP" -newer "$OUT/start-marker" | head -20)
[ -z "$changed" ] && pass "nothing in $APP was written" || fail "written into $APP: $changed"
if [ ${#STRACE[@]} -gt 0 ]; then
    inet=$(grep -hE 'socket\(AF_INET6?,|connect\(.*sa_family=AF_INET6?' "$OUT"/net/*.txt | head -5)
    [ -z "$inet" ] && pass "no internet socket opened ($(cat "$OUT"/net/*.txt | grep -c 'socket(') socket calls, none AF_INET or AF_INET6)" \
        || fail "internet sockets: $inet"
fi
echo "== written under the private HOME:"
(cd "$OUT/home" && find . -type f | grep -v '^./.cache/fontconfig/' | sed 's/^/      /')

[ $FAILED = 0 ] && echo "smoke: all passed ($OUT)" || echo "smoke: FAILED ($OUT)"
exit $FAILED
