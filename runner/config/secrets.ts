// Values a config reads from the environment through `${oc.env:NAME}` are treated as secrets (API keys, tokens,
// passwords are passed that way): wherever they could be written or shown, they appear as `<env:NAME>`. Shared
// by the runner (everything it prints or writes for a run or a sweep) and the language server (hovers).

/** How a value read from the environment `NAME` is shown in place of its value. */
export function envMask(name: string): string {
  return `<env:${name}>`;
}

/** A copy of a JSON-like value with each `<env:NAME>` replaced by `NAME`'s value in `env` (left as it is when unset). */
export function unmaskEnv<T>(value: T, env: Record<string, string | undefined>): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/<env:([^<>\s]+)>/g, (m, name: string) => env[name] ?? m);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/**
 * An environment whose every variable reads as its mask: resolving a config with it gives the config as it may be
 * written (`token: ${oc.env:TOKEN}` resolves to `<env:TOKEN>`; `${oc.env:MISSING,default}` still gives `default`).
 */
export function maskedEnv(env: Record<string, string | undefined>, keep: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined) out[k] = keep.includes(k) ? v : envMask(k);
  }
  return out;
}

/**
 * The secrets one process has read, and the masking of text and plain values. Values shorter than 4 characters
 * (a flag such as `1`, `true`) are not masked: they would blank out unrelated text and are not secrets.
 */
export class EnvSecrets {
  private readonly values = new Map<string, string>();

  add(name: string, value: string | undefined): void {
    if (typeof value === 'string' && value.length >= 4) this.values.set(value, name);
  }

  /**
   * Stops masking the values found inside `text`: paths the run must record to work (its run directory, the
   * workspace) stay exact, even when part of them came from `${oc.env:HOME}`. They are on disk for anyone anyway.
   */
  allowWithin(text: string): void {
    for (const v of [...this.values.keys()]) if (text.includes(v)) this.values.delete(v);
  }

  get size(): number {
    return this.values.size;
  }

  mask(text: string): string {
    if (!this.values.size) return text;
    // Longest first, so a value that contains another is replaced whole.
    let out = text;
    for (const [v, name] of [...this.values].sort((a, b) => b[0].length - a[0].length)) out = out.split(v).join(envMask(name));
    return out;
  }

  /** A copy of a JSON-like value with every string masked (keys included). */
  maskValue<T>(value: T): T {
    if (!this.values.size) return value;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.mask(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.mask(k), walk(x)]));
      return v;
    };
    return walk(value) as T;
  }
}

/** The runner's own variables (its clock, and what a launcher tells a job): read by the runner, not secrets. */
const RUNNER_VARIABLES = new Set(['BAIT_NOW', 'BAIT_JOB_DIR', 'BAIT_JOB_NUM', 'BAIT_SWEEP_DIR']);

/** `env` as the config resolver sees it, remembering each variable read (through `oc.env`) as a secret. */
export function watchedEnv(env: Record<string, string | undefined>, secrets: EnvSecrets): Record<string, string | undefined> {
  return new Proxy(env, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key === 'string' && !RUNNER_VARIABLES.has(key) && typeof v === 'string') secrets.add(key, v);
      return v;
    },
  });
}
