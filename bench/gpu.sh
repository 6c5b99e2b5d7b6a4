#!/usr/bin/env bash
# Training throughput on a GPU host: the runner's webgpu backend (tfjs on Dawn/Vulkan) for the mean-pool and the
# transformer model at batch 32 and 256, beside PyTorch CUDA on the same models and data when torch sees a GPU.
# Needs only Node >= 20 and the runner bundle: copy `dist/` (built by `npm run build`; it holds dist/bench-gpu.js,
# Dawn's dawn.node, the shipped data and torch_gpu.py) and this script to the host, then run
#     bash gpu.sh [path/to/dist]          (default: ./dist, else ../dist beside this script)
# Prints one JSON line per measurement, then a summary line with webgpu/torch ratios. A software adapter is refused
# unless BAIT_ALLOW_SOFTWARE_GPU=1, and is marked "software": true in the output when allowed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dist="${1:-}"
for d in "$dist" ./dist "$here/dist" "$here/../dist"; do
  if [ -n "$d" ] && [ -f "$d/bench-gpu.js" ]; then dist="$(cd "$d" && pwd)"; break; fi
done
if [ ! -f "$dist/bench-gpu.js" ]; then
  echo "gpu.sh: no runner bundle found (dist/bench-gpu.js); run 'npm run build' and copy dist/ beside this script" >&2
  exit 2
fi
node="${BAIT_NODE:-node}"
if ! "$node" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
  echo "gpu.sh: Node >= 20 is needed (set BAIT_NODE to one)" >&2
  exit 2
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/# gpu: /'
command -v vulkaninfo >/dev/null && vulkaninfo --summary 2>/dev/null | grep -E 'deviceName|driverInfo' | sed 's/^ */# vulkan: /'

lines=()
for model in meanpool transformer; do
  for batch in 32 256; do
    line="$("$node" "$dist/bench-gpu.js" --bench-gpu-train --backend webgpu --model "$model" --batch "$batch" 2>/tmp/bait-gpu-bench.err | tail -n 1)"
    if [ -z "$line" ]; then line="{\"backend\":\"webgpu\",\"model\":\"$model\",\"batch\":$batch,\"error\":$(tail -n 3 /tmp/bait-gpu-bench.err | "$node" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.stringify(s.trim())))')}"; fi
    echo "$line"
    lines+=("$line")
  done
done
python="${BAIT_PYTHON:-python3}"
torch_line="$("$python" "$dist/torch_gpu.py" "$dist/data/mizar40-m2k" 32 256 2>/tmp/bait-gpu-torch.err | tail -n 1)"
[ -z "$torch_line" ] && torch_line="{\"skipped\":\"torch_gpu.py failed: $(tail -n 1 /tmp/bait-gpu-torch.err | tr -d '\"\\')\"}"
echo "$torch_line"
printf '%s\n' "${lines[@]}" "$torch_line" | "$node" -e '
  const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const torch = rows.find((r) => r.results || r.skipped);
  const summary = { bench: "gpu", webgpu: {}, torch_cuda: torch.results ? { torch: torch.torch, device: torch.device } : torch, ratio_webgpu_vs_torch_cuda: {} };
  for (const r of rows.filter((r) => r.backend)) {
    const key = `${r.model}_b${r.batch}`;
    summary.webgpu[key] = r.samples_per_s ?? r.error;
    if (r.adapter) summary.adapter = r.adapter;
    const t = torch.results?.find((x) => x.model === r.model && x.batch === r.batch);
    if (t && r.samples_per_s) { summary.torch_cuda[key] = t.samples_per_s; summary.ratio_webgpu_vs_torch_cuda[key] = Number((r.samples_per_s / t.samples_per_s).toFixed(3)); }
  }
  console.log(JSON.stringify(summary));'
