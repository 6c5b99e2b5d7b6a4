// Validation metrics of premise selection, computed in float64 from the model's logits: loss (binary
// cross-entropy), accuracy, ROC AUC (Mann-Whitney with ties), and per-conjecture ranking of its candidate premises
// (recall@k: the share of a conjecture's true premises ranked in the top k; MAP: mean average precision).

export interface Scored {
  logits: Float64Array;
  labels: Float64Array;
  conj: string[];
}

export function bce(logit: number, label: number): number {
  return Math.max(logit, 0) - logit * label + Math.log1p(Math.exp(-Math.abs(logit)));
}

export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  let pos = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[idx[k]!] === 1) { rankSum += avgRank; pos++; }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function rankingMetrics(s: Scored, ks: number[] = [1, 5]): Record<string, number> {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < s.conj.length; i++) {
    const g = groups.get(s.conj[i]!);
    if (g) g.push(i); else groups.set(s.conj[i]!, [i]);
  }
  const recall = ks.map(() => 0);
  let ap = 0;
  let counted = 0;
  for (const members of groups.values()) {
    const positives = members.filter((i) => s.labels[i] === 1).length;
    if (positives === 0) continue;
    counted++;
    // Stable order on ties (by position in the split) keeps the metric deterministic.
    const ranked = members.slice().sort((a, b) => s.logits[b]! - s.logits[a]! || a - b);
    let hits = 0;
    let sumPrec = 0;
    ranked.forEach((i, r) => {
      if (s.labels[i] === 1) {
        hits++;
        sumPrec += hits / (r + 1);
      }
    });
    ap += sumPrec / positives;
    ks.forEach((k, j) => {
      const top = ranked.slice(0, k).filter((i) => s.labels[i] === 1).length;
      recall[j]! += top / positives;
    });
  }
  const out: Record<string, number> = { map: counted ? ap / counted : Number.NaN };
  ks.forEach((k, j) => (out[`recall@${k}`] = counted ? recall[j]! / counted : Number.NaN));
  return out;
}

export function validationMetrics(s: Scored): Record<string, number> {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < s.logits.length; i++) {
    loss += bce(s.logits[i]!, s.labels[i]!);
    if ((s.logits[i]! > 0 ? 1 : 0) === s.labels[i]) correct++;
  }
  const n = s.logits.length;
  return { val_loss: loss / n, acc: correct / n, auc: auc(s.logits, s.labels), ...rankingMetrics(s) };
}
