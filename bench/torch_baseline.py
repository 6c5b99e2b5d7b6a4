"""PyTorch CPU baseline for bench/training.ts: the same premise-selection models on the same data and batch size.

usage: torch_baseline.py DATA MODEL FORM THREADS [STEPS]
  MODEL   meanpool | transformer
  FORM    meanpool: embedding (Embedding + masked mean) or bag (EmbeddingBag(mode="mean")); transformer: layer
  THREADS torch intra-op threads (OPENBLAS_NUM_THREADS=1 is set by the caller: torch's own threads do the work)
  STEPS   train this many steps after the warm-up and print one JSON object {"torch", "blas", "samples_per_s", ...}.
          Without it the script serves timed windows for bench/training.ts, which interleaves them with ours so
          that a loaded machine slows both sides alike: it prints {"torch", "blas", "ready": true} after the
          warm-up, then for each line "N" read from stdin trains N more steps and prints {"steps", "seconds",
          "cpu_seconds"} (wall clock and this process's CPU time).
 The model is the bundled one, dropout included
(mean-pool: dropout 0.1 on each pooled embedding; transformer: 0), trained with Adam (lr 1e-3) and gradient-norm
clipping at 1.0, batch 32. As in the project's loop, each step draws its pairs from a shuffled order and pads
them into a batch inside the timed loop. The allocator settings (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_)
come from the environment, so the caller measures each setting in its own process, as does flushing subnormal
floats to zero (BAIT_TORCH_FLUSH_DENORMAL=1: the Adam moments of embedding rows no batch touches decay into the
subnormal range, where x86 arithmetic is very slow; the project's Adam flushes them).
"""
import gzip
import json
import math
import os
import sys
import time

import torch
from torch import nn

DATA, MODEL, FORM = sys.argv[1], sys.argv[2], sys.argv[3]
THREADS = int(sys.argv[4])
STEPS = int(sys.argv[5]) if len(sys.argv) > 5 else None
WARMUP = 20 if MODEL == "meanpool" else 3
BATCH = 32
torch.manual_seed(0)
torch.set_num_threads(THREADS)
if os.environ.get("BAIT_TORCH_FLUSH_DENORMAL") == "1":
    torch.set_flush_denormal(True)


def load(vocab, max_len):
    goals, prems, labels = [], [], []
    with gzip.open(f"{DATA}/train.jsonl.gz", "rt") as f:
        for line in f:
            r = json.loads(line)
            enc = lambda s: [vocab.get(t, 1) for t in s.split()][:max_len] or [1]
            goals.append(enc(r["goal"]))
            prems.append(enc(r["premise"]))
            labels.append(float(r["label"]))
    return goals, prems, labels


def pad(seqs):
    width = max(len(s) for s in seqs)
    ids = torch.zeros(len(seqs), width, dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
    return ids


class MeanPool(nn.Module):
    def __init__(self, ntoken, d, bag, dropout):
        super().__init__()
        self.bag = bag
        self.emb = nn.EmbeddingBag(ntoken, d, mode="mean", padding_idx=0) if bag else nn.Embedding(ntoken, d, padding_idx=0)
        self.drop = nn.Dropout(dropout)

    def forward(self, ids):
        if self.bag:
            return self.drop(self.emb(ids))
        mask = (ids != 0).float().unsqueeze(-1)
        return self.drop((self.emb(ids) * mask).sum(1) / mask.sum(1))


class Transformer(nn.Module):
    def __init__(self, ntoken, d, nhead, layers, d_hid, max_len):
        super().__init__()
        self.d = d
        self.emb = nn.Embedding(ntoken, d)
        layer = nn.TransformerEncoderLayer(d, nhead, d_hid, dropout=0.0, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, layers)
        pe = torch.zeros(max_len, d)
        pos = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe)

    def forward(self, ids):
        pad_mask = ids == 0
        x = self.emb(ids) * math.sqrt(self.d) + self.pe[: ids.shape[1]]
        x = self.enc(x, src_key_padding_mask=pad_mask)
        keep = (~pad_mask).float().unsqueeze(-1)
        return (x * keep).sum(1) / keep.sum(1)


class PremiseSelection(nn.Module):
    def __init__(self, make, d):
        super().__init__()
        self.goal, self.premise = make(), make()
        self.head = nn.Sequential(nn.Linear(2 * d, d), nn.ReLU(), nn.Linear(d, 1))

    def forward(self, g, p):
        return self.head(torch.cat([self.goal(g), self.premise(p)], 1)).squeeze(1)


class Loop:
    """The training loop of the bench, one step at a time; its state carries over between timed windows."""

    def __init__(self, model, data):
        self.model, self.data = model, data
        self.opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        self.loss_fn = nn.BCEWithLogitsLoss()
        self.order = torch.randperm(len(data[2])).tolist()
        self.s = 0
        model.train()

    def run(self, steps):
        """Trains `steps` batches and returns the seconds they took (wall clock, and this process's CPU time)."""
        goals, prems, labels = self.data
        order, model, opt = self.order, self.model, self.opt
        start = time.perf_counter()
        cpu = time.process_time()
        for _ in range(steps):
            # The batch is built here, inside the timed loop, as the project's trainer builds its own.
            lo = (self.s * BATCH) % (len(order) - BATCH)
            self.s += 1
            idx = order[lo : lo + BATCH]
            g, p = pad([goals[i] for i in idx]), pad([prems[i] for i in idx])
            y = torch.tensor([labels[i] for i in idx])
            opt.zero_grad()
            loss = self.loss_fn(model(g, p), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        return time.perf_counter() - start, time.process_time() - cpu


def main():
    vocab = {t: i for i, t in enumerate(json.load(open(f"{DATA}/vocab.json")))}
    n = len(vocab)
    out = {"torch": torch.__version__, "model": MODEL, "form": FORM, "threads": THREADS}
    try:
        out["blas"] = torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0]
    except Exception:
        out["blas"] = "unknown"
    # Debian's torch calls the generic BLAS interface: which library serves it decides its matMul speed (the
    # reference BLAS is several times slower than OpenBLAS), so say which one this process loaded.
    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "blas" in line.split()[-1]}
        out["blas_library"] = sorted(libs)
    except OSError:
        out["blas_library"] = "unknown"
    if MODEL == "meanpool":
        model = PremiseSelection(lambda: MeanPool(n, 128, FORM == "bag", 0.1), 128)
        data = load(vocab, 128)
    else:
        model = PremiseSelection(lambda: Transformer(n, 128, 2, 1, 256, 64), 128)
        data = load(vocab, 64)
    loop = Loop(model, data)
    loop.run(WARMUP)
    if STEPS is not None:
        out["samples_per_s"] = STEPS * BATCH / loop.run(STEPS)[0]
        print(json.dumps(out))
        return
    print(json.dumps({**out, "ready": True}), flush=True)
    for line in sys.stdin:
        n = int(line)
        seconds, cpu_seconds = loop.run(n)
        print(json.dumps({"steps": n, "seconds": seconds, "cpu_seconds": cpu_seconds}), flush=True)


main()
