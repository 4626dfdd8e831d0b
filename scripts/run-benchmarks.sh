#!/usr/bin/env bash
# Runs the JMH suite on one JDK and keeps the JSON, the text log and the machine load.
# Usage: scripts/run-benchmarks.sh /path/to/jdk label [benchmark regex] [extra JMH options]
# Example: scripts/run-benchmarks.sh /usr/lib/jvm/temurin-25-jdk-amd64 jdk25
#          scripts/run-benchmarks.sh /usr/lib/jvm/temurin-25-jdk-amd64 jdk25-matvec MatvecBench -wi 3 -i 6
# (JMH takes the regex and options as they are; give each partial run its own label.)
# Build first: mvn -B package -DskipTests (mx-bench/target/benchmarks.jar).
set -euo pipefail
jdk=${1:?path to a JDK}
label=${2:?a label such as jdk25}
shift 2
out=mx-bench/results
mkdir -p "$out"
{ echo "start: $(date -u) $(uptime)"; nproc; grep -m1 'model name' /proc/cpuinfo; } > "$out/$label-load.txt"
"$jdk/bin/java" -version 2>> "$out/$label-load.txt"
"$jdk/bin/java" -jar mx-bench/target/benchmarks.jar -rf json -rff "$out/$label.json" "$@" | tee "$out/$label.txt"
echo "end: $(date -u) $(uptime)" >> "$out/$label-load.txt"
python3 scripts/jmh_ratios.py "$out/$label.json" > "$out/$label.md"
