#!/bin/bash
# Recipe sweep 1 of docs/lab.md ("How the recipe was found"): every recipe one process of tools/lab_torch.py, in
# parallel on one GPU; each prints JSON lines, gathered into $OUT/all.tsv. Needs .sweep/lab30k.npz from:
#   java -jar examples/target/gptedit.jar lab --steps 10 --train 30000 --heldout 512 -o /tmp/labdata  (the sweeps used the
#   generator before the lab's curation step; shards of today's lab export the same way)
#   python3 tools/lab_torch.py export --shards /tmp/labdata/data/train /tmp/labdata/data/heldout --data .sweep/lab30k.npz
cd "${ROOT:-$(dirname "$0")/..}"
D=.sweep/lab30k.npz; mkdir -p /tmp/sw
common="--data $D --heldout 512 --heldout-offset 30000 --eval-every 2000 --max-seconds ${MAXS:-380} --sample-steps 4"
run() { name=$1; shift; PYTHONUNBUFFERED=1 ${PY:-python3} tools/lab_torch.py train $common "$@" > /tmp/sw/$name.jsonl 2> /tmp/sw/$name.err & }
nvidia-smi --query-gpu=name,memory.used --format=csv
run base3k   --train 3000  --steps 20000
run base30k  --train 30000 --steps 20000
run tmean1   --train 30000 --steps 20000 --t-mean 1.0
run tunif    --train 30000 --steps 20000 --t-dist uniform
run lr2e3    --train 30000 --steps 20000 --lr 2e-3
run ew0      --train 30000 --steps 20000 --edit-weight 0
run ew4      --train 30000 --steps 20000 --edit-weight 4
run kids     --train 30000 --steps 20000 --ids kontext
run deep     --train 30000 --steps 20000 --double 4 --single 4
run wide     --train 30000 --steps 20000 --heads 8
run patch1   --train 30000 --steps 20000 --patch 1
run b64      --train 30000 --steps 5000 --batch 64 --lr 2e-3
run velo     --train 30000 --steps 20000 --prediction velocity --zero-head 0 --ids kontext
run tm1lr2   --train 30000 --steps 20000 --t-mean 1.0 --lr 2e-3 --edit-weight 0
run tm1ew0   --train 30000 --steps 20000 --t-mean 1.0 --edit-weight 0
run deeptm1  --train 30000 --steps 20000 --double 4 --single 4 --t-mean 1.0 --lr 2e-3
wait
for f in /tmp/sw/*.jsonl; do n=$(basename $f .jsonl); sed "s/^/$n\t/" $f; done > $OUT/all.tsv; tail -n 2 /tmp/sw/*.err | head -40
