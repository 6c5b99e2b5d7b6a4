"""PyTorch CPU baseline for bench/training.ts: the same premise-selection models on the same data and batch size.

Prints one JSON object: {"torch": version, "blas": ..., "meanpool": samples/s, "transformer": samples/s, and the
torch thread count that gave each}. Run with OPENBLAS_NUM_THREADS=1 (torch's own threads do the parallel work);
Debian's python3-torch with libopenblas0-pthread. Each model is timed with 1 and with up to THREADS torch threads
(on a busy 2-core machine one thread is often faster), and the mean-pool model in its two natural PyTorch forms
(Embedding + masked mean, and EmbeddingBag(mode="mean")); the fastest is reported, so ratios against it are
conservative.
"""
import gzip
import json
import math
import sys
import time

import torch
from torch import nn

DATA = sys.argv[1]
THREADS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.manual_seed(0)


def load(split, vocab, max_len):
    goals, prems, labels = [], [], []
    with gzip.open(f"{DATA}/{split}.jsonl.gz", "rt") as f:
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
    def __init__(self, ntoken, d, bag):
        super().__init__()
        self.bag = bag
        self.emb = nn.EmbeddingBag(ntoken, d, mode="mean", padding_idx=0) if bag else nn.Embedding(ntoken, d, padding_idx=0)

    def forward(self, ids):
        if self.bag:
            return self.emb(ids)
        mask = (ids != 0).float().unsqueeze(-1)
        return (self.emb(ids) * mask).sum(1) / mask.sum(1)


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


def throughput(model, data, batch, steps, warmup=5):
    goals, prems, labels = data
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    order = torch.randperm(len(labels)).tolist()
    batches = []
    for s in range(steps + warmup):
        idx = order[(s * batch) % (len(order) - batch):][:batch]
        batches.append((pad([goals[i] for i in idx]), pad([prems[i] for i in idx]), torch.tensor([labels[i] for i in idx])))
    start = 0.0
    for s, (g, p, y) in enumerate(batches):
        if s == warmup:
            start = time.perf_counter()
        opt.zero_grad()
        loss = loss_fn(model(g, p), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return steps * batch / (time.perf_counter() - start)


def main():
    vocab = {t: i for i, t in enumerate(json.load(open(f"{DATA}/vocab.json")))}
    n = len(vocab)
    out = {"torch": torch.__version__}
    try:
        out["blas"] = torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0]
    except Exception:
        out["blas"] = "unknown"
    def best(name, make, data, steps):
        results = []
        for threads in sorted({1, THREADS}):
            torch.set_num_threads(threads)
            for m in make:
                results.append((throughput(m(), data, 32, steps), threads))
        out[name], out[name + "_threads"] = max(results)

    mp = load("train", vocab, 128)
    best("meanpool", [lambda bag=bag: PremiseSelection(lambda: MeanPool(n, 128, bag), 128) for bag in (False, True)], mp, 300)
    tr = load("train", vocab, 64)
    best("transformer", [lambda: PremiseSelection(lambda: Transformer(n, 128, 2, 1, 256, 64), 128)], tr, 40)
    print(json.dumps(out))


main()
