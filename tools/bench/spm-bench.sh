#!/usr/bin/env bash
# Throughput of dsprep's sentencepiece Unigram encoder against sentencepiece 0.2.3 (Python),
# same machine, same run, same documents (../shared/data/reviews/reviews.tsv, 4th column).
# Rounds alternate between the two so load from other processes hits both alike; each side's
# best round is reported. The peer's number is the faster of its two single-thread paths
# (batched `encode(list, num_threads=1)` and a Python loop over `encode(str)`).
#
#   tools/bench/spm-bench.sh [MODEL.model] [ROUNDS]
source "$(dirname "$0")/../lib/preamble.sh"
models=(${1:+"$1"})
source tools/lib/spm-corpus.sh
model="${models[0]}"
rounds="${2:-3}"

peer() {
  "$python" - "$model" "$work/docs.txt" <<'PY'
import sys, time, sentencepiece as spm
sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
lines = open(sys.argv[2], encoding="utf-8", newline="\n").read().split("\n")[:-1]
mb = sum(len(l.encode("utf-8")) for l in lines) / 1e6
t = time.perf_counter(); sp.encode(lines, num_threads=1); batched = time.perf_counter() - t
t = time.perf_counter()
for l in lines:
    sp.encode(l)
loop = time.perf_counter() - t
print(f"{mb / min(batched, loop):.2f} {mb / batched:.2f} {mb / loop:.2f}")
PY
}
ours() { "$bench" --model "$model" --format none --threads "$1" "$work/docs.txt" 2>&1 >/dev/null | sed -E 's/.* ([0-9.]+) MB\/s$/\1/'; }

best() { sort -g | tail -1; }
: > "$work/peer"; : > "$work/one"; : > "$work/two"
for round in $(seq "$rounds"); do
  peer >> "$work/peer"
  ours 1 >> "$work/one"
  ours 2 >> "$work/two"
done
peer_best=$(cut -d' ' -f1 "$work/peer" | best)
one=$(best < "$work/one"); two=$(best < "$work/two")
echo "documents: $(wc -l < "$work/docs.txt"), $(wc -c < "$work/docs.txt") bytes, $rounds rounds, best round each"
echo "sentencepiece 0.2.3 (1 thread): $peer_best MB/s   [batched / loop per round: $(cut -d' ' -f2,3 "$work/peer" | tr '\n' ',' )]"
echo "dsprep (1 thread):              $one MB/s   ratio $(echo "scale=2; $one / $peer_best" | bc)x"
echo "dsprep (2 threads):             $two MB/s   scaling $(echo "scale=2; $two / $one" | bc)x"
