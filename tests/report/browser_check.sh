#!/bin/sh
# The report in a browser: runs `mnlab run` on a small protocol, opens the
# report.html it wrote in headless Chromium, checks that every image of the
# page loaded (a checker page beside it loads the report in an iframe and
# writes the count of images with naturalWidth > 0 into its DOM, read back
# with --dump-dom), then takes a screenshot and checks it is a real PNG of
# the window's size with some content. Skips (exit 77) without Chromium.
#
#   browser_check.sh MNLAB PROTOCOL.yaml
set -u
MNLAB=$1
PROTOCOL=$2
CHROMIUM=${CHROMIUM:-chromium}
WIDTH=1000
HEIGHT=2400
MIN_SHOT_BYTES=40000 # a blank page of this size compresses to a few kB

if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
  echo "SKIP: $CHROMIUM is not installed (scripts/bootstrap installs it)"
  exit 77
fi
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

dir=$(mktemp -d /tmp/mnlab_browser_XXXXXX) || fail "no temporary directory"
trap 'rm -rf "$dir"' EXIT INT TERM
"$MNLAB" run "$PROTOCOL" --ideal-strokes --quiet -o "$dir/out" >"$dir/run.log" 2>&1 ||
  fail "mnlab run: $(cat "$dir/run.log")"
[ -s "$dir/out/report.html" ] || fail "no report.html"
nimg=$(grep -o '<img ' "$dir/out/report.html" | wc -l)
[ "$nimg" -gt 0 ] || fail "report.html has no images"

cat >"$dir/out/check.html" <<'HTML'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>report check</title></head>
<body>
<iframe id="report" src="report.html" width="1000" height="800"></iframe>
<pre id="result">pending</pre>
<script>
document.getElementById('report').addEventListener('load', function () {
  var images = this.contentDocument.images, loaded = 0, broken = [];
  for (var i = 0; i < images.length; i++) {
    if (images[i].complete && images[i].naturalWidth > 0) {
      loaded++;
    } else {
      broken.push(images[i].getAttribute('src'));
    }
  }
  document.getElementById('result').textContent =
      'images=' + images.length + ' loaded=' + loaded + ' broken=[' + broken.join(' ') + ']';
});
</script>
</body></html>
HTML

flags="--headless --disable-gpu --no-first-run --disable-dev-shm-usage"
flags="$flags --user-data-dir=$dir/profile --allow-file-access-from-files"
if [ "$(id -u)" = 0 ]; then
  flags="$flags --no-sandbox" # Chromium refuses to run as root inside its sandbox
fi

# shellcheck disable=SC2086
"$CHROMIUM" $flags --virtual-time-budget=20000 --dump-dom "file://$dir/out/check.html" \
  >"$dir/dom.html" 2>"$dir/chromium.log" || fail "chromium --dump-dom: $(tail -5 "$dir/chromium.log")"
result=$(sed -n 's/.*<pre id="result">\([^<]*\)<\/pre>.*/\1/p' "$dir/dom.html")
echo "report.html: $nimg images; in Chromium: $result"
[ "$result" = "images=$nimg loaded=$nimg broken=[]" ] || fail "not every image loaded"

# shellcheck disable=SC2086
"$CHROMIUM" $flags --hide-scrollbars --window-size=$WIDTH,$HEIGHT \
  --screenshot="$dir/shot.png" "file://$dir/out/report.html" >"$dir/shot.log" 2>&1 ||
  fail "chromium --screenshot: $(tail -5 "$dir/shot.log")"
[ -f "$dir/shot.png" ] || fail "no screenshot"
sig=$(od -An -tx1 -N8 "$dir/shot.png" | tr -d ' \n')
[ "$sig" = 89504e470d0a1a0a ] || fail "the screenshot is not a PNG ($sig)"
size=$(od -An -tu1 -j16 -N8 "$dir/shot.png" | tr -s ' ' | sed 's/^ //')
set -- $size
w=$(($1 * 16777216 + $2 * 65536 + $3 * 256 + $4))
h=$(($5 * 16777216 + $6 * 65536 + $7 * 256 + $8))
bytes=$(wc -c <"$dir/shot.png")
echo "screenshot: ${w}x${h}, $bytes bytes"
[ "$w" -eq $WIDTH ] && [ "$h" -eq $HEIGHT ] || fail "screenshot is ${w}x${h}, not ${WIDTH}x${HEIGHT}"
[ "$bytes" -ge $MIN_SHOT_BYTES ] || fail "screenshot of $bytes bytes: the page looks empty"
echo "PASS"
