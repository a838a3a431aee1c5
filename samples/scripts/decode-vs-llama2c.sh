#!/usr/bin/env bash
# Decoding speed side by side: llama2.c's run.c and genai4j on the same llama2.c checkpoint, same
# machine, alternating, one thread each, greedy, 511 tokens after BOS (the whole 512-token context).
#   samples/scripts/decode-vs-llama2c.sh LLAMA2C_SOURCE CHECKPOINT.bin [ROUNDS]
# LLAMA2C_SOURCE: a folder (or a git directory) with karpathy/llama2.c's run.c (MIT). It is built here
# with gcc -O3 -march=native into a temporary folder; nothing of it is kept or committed. run.c needs
# a tokenizer file only to print pieces: a placeholder one that prints ids is written beside it.
set -euo pipefail
src="$1"; ckpt="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; rounds="${3:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
if [ -f "$src/run.c" ]; then cp "$src/run.c" "$work/run.c"; else git --git-dir="$src" show HEAD:run.c > "$work/run.c"; fi
gcc -O3 -march=native -o "$work/run" "$work/run.c" -lm
python3 - "$work/tok.bin" "$(od -An -t d4 -j 20 -N 4 "$ckpt" | tr -d ' -')" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("i", 8))
    for i in range(int(sys.argv[2])):
        s = ("<%d>" % i).encode()
        f.write(struct.pack("fi", 0.0, len(s)) + s)
PY
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(grep -o -w -m1 avx512f /proc/cpuinfo || echo no-avx512f); gcc $(gcc -dumpversion)"
"$root/genai4j" --help > /dev/null  # build first, outside the timing
for r in $(seq 1 "$rounds"); do
  c=$(OMP_NUM_THREADS=1 "$work/run" "$ckpt" -z "$work/tok.bin" -t 0 -n 512 2>&1 >/dev/null | sed -n 's/achieved tok\/s: //p')
  j=$("$root/genai4j" llm decode-bench --threads 1 --model "$ckpt" --tokens 511 --rounds 3 | sed -n 's/tokens_per_s=//p')
  python3 -c "print(f'round $r: run.c {float(\"$c\"):.0f} tokens/s, genai4j {float(\"$j\"):.0f} tokens/s, genai4j/run.c {float(\"$j\")/float(\"$c\"):.2f}')"
done
