// The sbatch script of one job array and its per-task files. The script is bash; each task reads its argv and
// environment from NUL-separated files with `mapfile -d ''`, so override values (quotes, `$(...)`, newlines)
// reach the runner as data and are never parsed as shell. Only the user's own `setup` lines are shell, by design
// (a value they read through oc.env is a reference to the variable there, never the value: ../env-settings.ts).
//
// On USR2 (SLURM's warning before the time limit, or pre-emption) the task asks the runner to stop (stop-request
// file and SIGTERM), which saves `last`, then requeues itself with `scontrol requeue` while fewer than `max_num_timeout` requeues have
// happened. A requeued task finds `<job dir>/checkpoints/last` and runs `bait resume <job dir>` instead.
import { shQuote } from '../../remote/quote.js';
import { STOP_FILE } from '../../run/signals.js';
import { LauncherError } from '../errors.js';

export interface TaskFiles {
  argv: string[];
  resumeArgv: string[];
  env: Record<string, string>;
  jobDir: string;
}

export function nulJoin(words: string[]): string {
  for (const w of words) if (w.includes('\0')) throw new LauncherError('an argument cannot contain a NUL byte');
  return words.map((w) => `${w}\0`).join('');
}

/** File name -> content for the task files of array index `i`. */
export function taskFiles(i: number, t: TaskFiles): Record<string, string> {
  return {
    [`tasks/${i}.argv`]: nulJoin(t.argv),
    [`tasks/${i}.resume`]: nulJoin(t.resumeArgv),
    [`tasks/${i}.env`]: nulJoin(Object.entries(t.env).map(([k, v]) => `${k}=${v}`)),
    [`tasks/${i}.dir`]: nulJoin([t.jobDir]),
  };
}

/**
 * The options are passed on sbatch's command line (an argv array, or shQuote'd over SSH) rather than as
 * `#SBATCH` lines, whose own word splitting would mangle paths with spaces; they are listed here as a comment.
 */
export function batchScript(batchDir: string, sbatchOptions: string[], setup: string[], maxRequeues: number): string {
  const b = shQuote(batchDir);
  return [
    '#!/bin/bash',
    '# Written by BAIT (runner/launchers/slurm). One array task = one sweep job; see tasks/<index>.*',
    '# Submitted with: sbatch ' + sbatchOptions.map((o) => o.replace(/[\r\n]/g, ' ')).join(' '),
    `B=${b}`,
    'T="${SLURM_ARRAY_TASK_ID:?this script runs as a SLURM array task}"',
    ...setup,
    'mapfile -d "" -t ENVV < "$B/tasks/$T.env"',
    'IFS= read -r -d "" JOBDIR < "$B/tasks/$T.dir"',
    'restarts="${SLURM_RESTART_COUNT:-0}"',
    'if [ "$restarts" -gt 0 ] && [ -e "$JOBDIR/checkpoints/last" ]; then',
    '  echo "[bait] restart $restarts: resuming from $JOBDIR/checkpoints/last"',
    '  mapfile -d "" -t CMD < "$B/tasks/$T.resume"',
    'else',
    '  mapfile -d "" -t CMD < "$B/tasks/$T.argv"',
    'fi',
    'requeue=0',
    'child=',
    // The runner saves `last` and stops when its run directory has a stop-request file (polled by the training
    // loop) or on SIGTERM; we use both.
    `stop_child() { : > "$JOBDIR/${STOP_FILE}" 2>/dev/null; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null; }`,
    `on_usr2() { requeue=1; echo "[bait] USR2: time limit or pre-emption; saving a checkpoint"; stop_child; }`,
    'trap on_usr2 USR2',
    `trap stop_child TERM INT`,
    'env "${ENVV[@]}" "${CMD[@]}" &',
    'child=$!',
    'while :; do wait "$child"; rc=$?; kill -0 "$child" 2>/dev/null || break; done',
    'if [ "$requeue" = 1 ]; then',
    `  if [ "$restarts" -lt ${Number(maxRequeues)} ]; then`,
    '    echo "[bait] requeueing (restart $((restarts + 1)) of ' + Number(maxRequeues) + ')"',
    '    if timeout 60 scontrol requeue "${SLURM_ARRAY_JOB_ID}_${T}"; then exit 0; fi',
    '    echo "[bait] scontrol requeue failed"',
    '  else',
    `    echo "[bait] not requeued: max_num_timeout (${Number(maxRequeues)}) reached"`,
    '  fi',
    'fi',
    'printf "%s\\n" "$rc" > "$B/tasks/$T.result.tmp" && mv "$B/tasks/$T.result.tmp" "$B/tasks/$T.result"',
    'exit "$rc"',
    '',
  ].join('\n');
}
