#!/bin/bash
# Recipe sweep 2 of docs/lab.md ("How the recipe was found"): every recipe one process of tools/lab_torch.py, in
# parallel on one GPU; each prints JSON lines, gathered into $OUT/all.tsv. Needs .sweep/lab30k.npz from:
#   java -jar examples/target/gptedit.jar lab --steps 10 --train 30000 --heldout 512 -o /tmp/labdata  (the sweeps used the
#   generator before the lab's curation step; shards of today's lab export the same way)
#   python3 tools/lab_torch.py export --shards /tmp/labdata/data/train /tmp/labdata/data/heldout --data .sweep/lab30k.npz
cd "${ROOT:-$(dirname "$0")/..}"
D=.sweep/lab30k.npz; mkdir -p /tmp/sw
common="--data $D --heldout 512 --heldout-offset 30000 --eval-every 1000 --max-seconds ${MAXS:-250} --sample-steps 4 --train 30000 --batch 64 --lr 2e-3 --steps ${STEPS:-3000}"
run() { name=$1; shift; PYTHONUNBUFFERED=1 ${PY:-python3} tools/lab_torch.py train $common "$@" > /tmp/sw/$name.jsonl 2> /tmp/sw/$name.err & }
run rbase
run rbal      --balance 0.5
run rbaltm1   --balance 0.5 --t-mean 1.0
run rbaltm2   --balance 0.5 --t-mean 2.0
run rbal7tm1  --balance 0.7 --t-mean 1.0
run vbase     --prediction velocity --zero-head 0 --ids kontext
run vbal      --prediction velocity --zero-head 0 --ids kontext --balance 0.5
run vbaltm1   --prediction velocity --zero-head 0 --ids kontext --balance 0.5 --t-mean 1.0
run vbalsh    --prediction velocity --zero-head 0 --ids shared --balance 0.5
wait
for f in /tmp/sw/*.jsonl; do n=$(basename $f .jsonl); sed "s/^/$n\t/" $f; done > $OUT/all.tsv; tail -n 2 /tmp/sw/*.err | head -40
