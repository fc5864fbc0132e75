#!/usr/bin/env bash
# Boots the product image (mnpen.elf) on QEMU's mps2-an386 for a bounded
# time and checks its UART0 console. The image has no semihosting and never
# exits, so there is no exit status to read: the test passes when, within
# the time limit, the console shows the boot, a passed power-on self-test,
# the pen's init and a heartbeat after 1000 ticks in state off (the board's
# buttons are released, so the pen must stay off), and nothing else went
# wrong (no fault, no failed self-test). QEMU is stopped as soon as the
# heartbeat appears.
#
#   qemu_product.sh QEMU MNPEN_ELF
set -euo pipefail

# Wall-clock limit for the whole boot; the heartbeat comes after 0.5 s of
# SysTick time plus the self-test, well inside it.
LIMIT_S=4
POLL_S=0.1

if [ "$#" -ne 2 ] || [ ! -f "$2" ]; then
  echo "usage: $0 QEMU MNPEN_ELF" >&2
  exit 2
fi
qemu=$1
elf=$2

log=$(mktemp)
"$qemu" -M mps2-an386 -display none -monitor none -serial "file:$log" \
  -kernel "$elf" </dev/null &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT

heartbeat='^pen: 1000 ticks, state off$'
exited=0
start=$SECONDS
while ! grep -q "$heartbeat" "$log"; do
  if ! kill -0 "$pid" 2>/dev/null; then
    exited=1
    break
  fi
  if [ $((SECONDS - start)) -ge "$LIMIT_S" ]; then
    break
  fi
  sleep "$POLL_S"
done
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true

echo "--- mnpen.elf UART0"
cat "$log"
echo "---"

status=0
expect() {
  if ! grep -q "$1" "$log"; then
    echo "qemu_product: FAIL: no line matching '$1' on the console ($2)" >&2
    status=1
  fi
}
expect '^mnpen: boot$' "the image did not start"
expect '^mnpen: self-test ok$' "the power-on self-test did not pass"
expect '^pen: init, log mounted, state off$' "mnpen_init did not run or the log did not mount"
expect "$heartbeat" "the pen did not tick 1000 times within ${LIMIT_S} s"
if grep -q 'fault' "$log"; then
  echo "qemu_product: FAIL: the console reports a fault" >&2
  status=1
fi
if [ "$exited" -eq 1 ]; then
  echo "qemu_product: FAIL: QEMU exited on its own; the product image never stops" >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "qemu_product: pen booted and ticking"
exit "$status"
