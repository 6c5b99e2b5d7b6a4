// A warm-up at start-up, on a three-file tree in memory: what a file's first request runs (the YAML syntax parse,
// composing a final config that selects a group option, hover, completion, diagnostics) runs once before the
// client opens anything. The V8 code cache spares compiling these paths, not their first slow runs through the
// interpreter: on the 2,030-file benchmark tree, preparing the first opened file took 11-18 ms of CPU where the
// next took 3-8 ms. Doing it while the editor is still starting moves that cost off the first hover.
import { MemoryFileSystem } from './file-system.js';
import { LanguageService } from './service.js';
import type { TargetInfo } from './targets.js';

const ROOT = '/bait-warm-up/configs';

const FILES: Record<string, string> = {
  [`${ROOT}/model/small.yaml`]: ['_target_: models.Small', 'width: 8', 'label: ${name}-small', 'nested:', '  depth: ${..width}', ''].join('\n'),
  [`${ROOT}/model/large.yaml`]: ['_target_: models.Large', 'width: 64', 'label: ${name}-large', ''].join('\n'),
  [`${ROOT}/exp/run.yaml`]: ['# @package _global_', 'defaults:', '  - /model@model: small', '  - _self_', '', 'name: run', 'model:', '  width: 16', ''].join('\n'),
};

/**
 * Runs each request path once on a throwaway service. Returns the steps that gave no answer (none, unless a
 * change broke the warm-up, which would then silently warm nothing: the test checks); never throws.
 */
export function warmUp(targets?: readonly TargetInfo[]): string[] {
  const missed: string[] = [];
  try {
    const service = new LanguageService({ fs: new MemoryFileSystem(FILES), configDirs: [ROOT], python: false, ...(targets ? { targets } : {}) });
    service.onInternalError = (what) => missed.push(what);
    const path = `${ROOT}/model/small.yaml`;
    const text = FILES[path]!;
    service.open(path, text, 1);
    service.prepare(path);
    if (!service.hover(path, text.indexOf('label') + 1)) missed.push('hover');
    if (!service.hover(path, text.indexOf('${..width}') + 4)) missed.push('hover on an interpolation');
    if (!service.completionList(path, text.indexOf('width')).items.length) missed.push('completion');
    service.quickDiagnostics(path);
    service.diagnostics(path);
  } catch (e) {
    missed.push(`warm-up: ${e instanceof Error ? e.message : String(e)}`);
  }
  return missed;
}
