"""PyTorch on CUDA, the GPU baseline of bench/gpu.sh: the same premise-selection models as the runner's
(runner/models: mean-pool with dropout 0.1 and the 1-layer transformer, both with the two-layer classifier),
the same data, batch sizes and optimizer (Adam 1e-3, clip_grad_norm 1.0), batches built inside the timed loop
as the runner builds its own. Prints one JSON line: {"torch", "device", "results": [{model, batch, samples_per_s}]}
or {"skipped": reason} when torch or CUDA is missing.

    python3 torch_gpu.py DATA_DIR BATCH [BATCH...]
"""
import gzip
import json
import math
import sys
import time

try:
    import torch
    from torch import nn
except ImportError:
    print(json.dumps({"skipped": "python3 cannot import torch"}))
    sys.exit(0)

if not torch.cuda.is_available():
    print(json.dumps({"skipped": f"torch {torch.__version__} sees no CUDA device"}))
    sys.exit(0)

DATA = sys.argv[1]
BATCHES = [int(b) for b in sys.argv[2:]] or [32, 256]
DEV = torch.device("cuda")
torch.manual_seed(0)


def load(vocab, max_len):
    rows = []
    with gzip.open(f"{DATA}/train.jsonl.gz", "rt") as f:
        for line in f:
            r = json.loads(line)
            enc = lambda s: [vocab.get(t, 1) for t in s.split()][:max_len] or [1]
            rows.append((enc(r["goal"]), enc(r["premise"]), float(r["label"])))
    return rows


def pad(seqs):
    ids = torch.zeros(len(seqs), max(len(s) for s in seqs), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
    return ids.to(DEV, non_blocking=True)


class MeanPool(nn.Module):
    def __init__(self, ntoken, d):
        super().__init__()
        self.emb = nn.EmbeddingBag(ntoken, d, mode="mean", padding_idx=0)
        self.drop = nn.Dropout(0.1)

    def forward(self, ids):
        return self.drop(self.emb(ids))


class Transformer(nn.Module):
    def __init__(self, ntoken, d, max_len):
        super().__init__()
        self.d = d
        self.emb = nn.Embedding(ntoken, d)
        self.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(d, 2, 256, dropout=0.0, batch_first=True), 1)
        pe = torch.zeros(max_len, d)
        pos = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
        pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * div), torch.cos(pos * div)
        self.register_buffer("pe", pe)

    def forward(self, ids):
        pad_mask = ids == 0
        x = self.enc(self.emb(ids) * math.sqrt(self.d) + self.pe[: ids.shape[1]], src_key_padding_mask=pad_mask)
        keep = (~pad_mask).float().unsqueeze(-1)
        return (x * keep).sum(1) / keep.sum(1)


class PremiseSelection(nn.Module):
    def __init__(self, make, d=128):
        super().__init__()
        self.goal, self.premise = make(), make()
        self.head = nn.Sequential(nn.Linear(2 * d, d), nn.ReLU(), nn.Linear(d, 1))

    def forward(self, g, p):
        return self.head(torch.cat([self.goal(g), self.premise(p)], 1)).squeeze(1)


def throughput(model, rows, batch, samples, warmup=5):
    model.to(DEV).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    order = torch.randperm(len(rows)).tolist()
    steps = max(10, samples // batch)
    start = 0.0
    for s in range(steps + warmup):
        if s == warmup:
            torch.cuda.synchronize()
            start = time.perf_counter()
        idx = order[(s * batch) % (len(order) - batch):][:batch]
        g, p = pad([rows[i][0] for i in idx]), pad([rows[i][1] for i in idx])
        y = torch.tensor([rows[i][2] for i in idx], device=DEV)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(g, p), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    torch.cuda.synchronize()
    return round(steps * batch / (time.perf_counter() - start))


def main():
    vocab = {t: i for i, t in enumerate(json.load(open(f"{DATA}/vocab.json")))}
    n = len(vocab)
    results = []
    for name, max_len, make, samples in (
        ("meanpool", 128, lambda: PremiseSelection(lambda: MeanPool(n, 128)), 9600),
        ("transformer", 64, lambda: PremiseSelection(lambda: Transformer(n, 128, 64)), 3200),
    ):
        rows = load(vocab, max_len)
        for batch in BATCHES:
            results.append({"model": name, "batch": batch, "samples_per_s": throughput(make(), rows, batch, samples)})
    print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "results": results}))


main()
