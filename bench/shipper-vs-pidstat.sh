#!/usr/bin/env bash
# Shipper overhead against pidstat, side by side in the same run.
#
# For each host size (extra idle processes), starts N `sleep` processes and a few task trees (TASKMETER_TASK set,
# burning some CPU and spawning short-lived children), then runs the shipper jar and `pidstat -urd 1` at the same
# time for the same window, and reports each one's CPU-seconds (utime+stime from /proc/PID/stat) extrapolated to an
# hour, and its peak RSS (VmHWM). JVM start-up is measured separately: the window starts after a warm-up.
#
# Usage: bench/shipper-vs-pidstat.sh [-d SECONDS] [-w WARMUP_SECONDS] [-s "100 500 1500"] [-t TREES] [-j JAR]
#        JAVA_OPTS="..." overrides the shipper's JVM flags (default: those of shipper/dist/taskmeter-shipper).
# Linux only; run as root so both tools see every process. Installs sysstat (pidstat) with apt-get if missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
duration=60
warmup=15
sizes="100 500 1500"
trees=3
jar="$root/shipper/target/taskmeter-shipper.jar"
while getopts "d:w:s:t:j:h" o; do
  case "$o" in
    d) duration=$OPTARG ;;
    w) warmup=$OPTARG ;;
    s) sizes=$OPTARG ;;
    t) trees=$OPTARG ;;
    j) jar=$OPTARG ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done
# The JVM flags of the start script, unless given.
default_opts=$(sed -n 's/^DEFAULT_JAVA_OPTS="\(.*\)"$/\1/p' "$root/shipper/dist/taskmeter-shipper" 2>/dev/null || true)
java_opts=${JAVA_OPTS:-$default_opts}

[ -f "$jar" ] || { echo "no $jar: build it with ./mvnw -B -q -pl shipper -am package -DskipTests" >&2; exit 1; }
if ! command -v pidstat >/dev/null; then
  echo "installing sysstat (pidstat)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q sysstat >/dev/null
fi

hz=$(getconf CLK_TCK)
work=$(mktemp -d "${TMPDIR:-/tmp}/taskmeter-bench.XXXXXX")
spawned=()
cleanup() {
  for p in "${spawned[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# CPU ticks (utime+stime, all threads) of one process.
ticks() { awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# A task tree: a recognised root burning a little CPU and spawning short-lived children every half second.
task_tree() {
  TASKMETER_TASK="bench-tree-$1" TASKMETER_RUN="bench-run" bash -c '
    while :; do
      awk "BEGIN { for (i = 0; i < 150000; i++) s += i }"
      (sh -c "sleep 0.2; true" &) ; sleep 0.5
    done' &
  spawned+=($!)
}

echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
echo "java: $(java -version 2>&1 | head -1); shipper flags: $java_opts"
echo "pidstat: $(pidstat -V 2>&1 | head -1)"
echo "window: ${duration}s after ${warmup}s warm-up, CPU-s/h = CPU-s in window x 3600 / ${duration}"
echo
rows=()
for n in $sizes; do
  for _ in $(seq 1 "$n"); do sleep 100000 & spawned+=($!); done
  for t in $(seq 1 "$trees"); do task_tree "$t"; done
  sleep 1
  listed=(/proc/[0-9]*); procs=${#listed[@]} # a glob: ls fails when a process exits while listed

  mkdir -p "$work/$n"
  # shellcheck disable=SC2086
  java $java_opts -jar "$jar" --sink "file://$work/$n/sink" --spool-dir "$work/$n/spool" --interval 1s \
       --batch-seconds 60 --host-id bench >"$work/$n/shipper.log" 2>&1 &
  shipper=$!
  pidstat -urd 1 >"$work/$n/pidstat.out" 2>&1 &
  pidstat=$!
  sleep "$warmup"
  s0=$(ticks "$shipper"); p0=$(ticks "$pidstat")
  sleep "$duration"
  s1=$(ticks "$shipper"); p1=$(ticks "$pidstat")
  s_hwm=$(hwm_kib "$shipper"); p_hwm=$(hwm_kib "$pidstat")
  kill -TERM "$shipper" "$pidstat"
  wait "$shipper" 2>/dev/null || true
  wait "$pidstat" 2>/dev/null || true
  batches=$(find "$work/$n/sink" -name '*.json.gz' | wc -l)

  rows+=("$(awk -v n="$n" -v procs="$procs" -v hz="$hz" -v d="$duration" -v w="$warmup" -v s0="$s0" -v s1="$s1" \
      -v p0="$p0" -v p1="$p1" -v sh="$s_hwm" -v ph="$p_hwm" -v b="$batches" 'BEGIN {
    sc = (s1 - s0) / hz; pc = (p1 - p0) / hz
    sh_h = sc * 3600 / d; ph_h = pc * 3600 / d
    ratio = pc > 0 ? sprintf("%.2f", sc / pc) : "n/a"
    printf "| %d | %d | %.1f | %.1f | %s | %.1f | %.1f | %.1f | %d |", n, procs, sh_h, ph_h, ratio, \
      sh / 1024, ph / 1024, s0 / hz, b }')")
  echo "${rows[-1]}"

  for p in "${spawned[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  spawned=()
done

echo
echo "| extra idle processes | processes in /proc | shipper CPU-s/h | pidstat CPU-s/h | ratio shipper/pidstat | shipper peak RSS MiB | pidstat peak RSS MiB | shipper start-up CPU-s (before window) | batches shipped |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
