// The custom requests of protocol.ts on the connection: each converts params to the service's plain calls and
// the answers' offsets and origins to LSP locations.
import type * as lsp from 'vscode-languageserver/node.js';
import { stringify } from 'yaml';
import { toPlain, type ConfigNode, type Origin } from '../../runner/config/nodes.js';
import type { ConfigError } from '../../runner/config/errors.js';
import * as P from '../protocol.js';
import type { ConfigProject } from '../service/project.js';
import { jobConfig } from '../service/engine.js';
import { composeWith, runnable, sweepFileJobs, validate } from '../service/requests.js';
import type { LanguageService } from '../service/service.js';
import type { Converter } from './convert.js';

type Ctx = () => { service: LanguageService; convert: Converter } | undefined;

export function registerCustomRequests(connection: lsp.Connection, ctx: Ctx, log: (what: string, e: unknown) => void): void {
  const handle = <Params, Result>(method: string, fn: (params: Params, service: LanguageService, convert: Converter) => Result) => {
    connection.onRequest(method, (params: Params) => {
      const c = ctx();
      if (!c) throw new Error('The server is not initialized yet.');
      try {
        return fn(params, c.service, c.convert);
      } catch (e) {
        log(method, e);
        throw e instanceof Error ? e : new Error(String(e));
      }
    });
  };

  handle<P.ComposedConfigParams, P.ComposedConfigResult>(P.ComposedConfigMethod, (params, service, convert) => {
    checkRef(params);
    const { project, result } = composeWith(service.workspace, { ...params, overrides: strings(params.overrides) });
    const job = result.config ? jobConfig(result.config) : undefined;
    return {
      config: job ? nodeData(job, project, convert) : null,
      yaml: job && !result.errors.length ? stringify(toPlain(job)) : null,
      defaults: result.defaults.map((d) => {
        const file = project.fileOf(d);
        return { configPath: d.configPath, package: d.package, ...(file ? { uri: convert.uri(project.absolute(file)) } : {}) };
      }),
      errors: result.errors.map((e) => problem(e, project, convert)),
    };
  });

  handle<P.RunnableConfigsParams, P.RunnableConfigsResult>(P.RunnableConfigsMethod, (params, service, convert) =>
    runnable(service.workspace, typeof params?.configDir === 'string' ? params.configDir : undefined).map((r) => ({
      configDir: r.project.root, configName: r.name, uri: convert.uri(r.project.absolute(r.file)),
      ...(r.overrides.length ? { overrides: r.overrides } : {}),
    })));

  handle<P.ValidateOverridesParams, P.ValidateOverridesResult>(P.ValidateOverridesMethod, (params, service, convert) => {
    checkRef(params);
    const { project, result, jobs } = validate(service.workspace, { ...params, overrides: strings(params.overrides) }, params.multirun === true);
    return { valid: result.errors.length === 0, errors: result.errors.map((e) => problem(e, project, convert)), jobs };
  });

  handle<P.ConfigContextsParams, P.ConfigContextsResult>(P.ConfigContextsMethod, (params, service, convert) => {
    const path = typeof params?.uri === 'string' ? convert.path(params.uri) : undefined;
    if (!path) return [];
    return service.contexts(path).map((c) => ({ uri: convert.uri(c.file), configName: c.name, overrides: c.overrides, chosen: c.chosen }));
  });

  handle<P.ChooseConfigContextParams, null>(P.ChooseConfigContextMethod, (params, service, convert) => {
    const path = typeof params?.uri === 'string' ? convert.path(params.uri) : undefined;
    const context = typeof params?.context === 'string' ? convert.path(params.context) : undefined;
    if (path) service.chooseContext(path, context);
    return null;
  });

  handle<P.SweepJobCountParams, P.SweepJobCountResult>(P.SweepJobCountMethod, (params, service, convert) => {
    if (params && 'uri' in params && typeof params.uri === 'string') {
      const path = convert.path(params.uri);
      const count = path ? sweepFileJobs(service.workspace, path) : undefined;
      if (!count) return { jobs: null, detail: 'not a sweep file under a config dir' };
      const out: P.SweepJobCountResult = { jobs: count.jobs, detail: count.detail };
      if (count.config && count.project) out.config = { configDir: count.project.root, configName: count.config.replace(/\.ya?ml$/, '') };
      return out;
    }
    const ref = params as P.ConfigRef & { overrides: string[] };
    checkRef(ref);
    const { result, jobs } = validate(service.workspace, { ...ref, overrides: strings(ref.overrides) }, true);
    const detail = result.errors.length ? result.errors[0]!.message : jobs === null ? 'unbounded (interval sweep)' : `${jobs} job${jobs === 1 ? '' : 's'}`;
    return { jobs: result.errors.length ? null : jobs, detail };
  });
}

function checkRef(p: Partial<P.ConfigRef> | undefined): asserts p is P.ConfigRef {
  if (!p || typeof p.configDir !== 'string' || typeof p.configName !== 'string') {
    throw new Error('Expected params { configDir: string, configName: string }.');
  }
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function origin(o: Origin | undefined, project: ConfigProject, convert: Converter): P.ProvenanceOrigin | undefined {
  if (!o) return undefined;
  if (o.kind === 'builtin') return { kind: 'builtin', what: o.what };
  if (o.kind === 'override') return { kind: 'override', index: o.index, text: o.text, start: o.range[0], end: o.range[1] };
  const path = project.absolute(o.file);
  return { kind: 'file', location: { uri: convert.uri(path), range: convert.range(path, o.keyRange ?? o.valueRange) } };
}

function nodeData(node: ConfigNode, project: ConfigProject, convert: Converter): P.ComposedNode {
  const meta: { origin?: P.ProvenanceOrigin; history?: P.ProvenanceOrigin[] } = {};
  const o = origin(node.origin, project, convert);
  if (o) meta.origin = o;
  if (node.history?.length) meta.history = node.history.map((h) => origin(h, project, convert)).filter((h): h is P.ProvenanceOrigin => !!h);
  if (node.kind === 'scalar') return { kind: 'scalar', type: node.type, value: node.value, ...meta };
  if (node.kind === 'list') return { kind: 'list', items: node.items.map((n) => nodeData(n, project, convert)), ...meta };
  return {
    kind: 'dict',
    entries: [...node.entries].map(([key, e]) => {
      const ko = origin(e.keyOrigin, project, convert);
      return { key, node: nodeData(e.node, project, convert), ...(ko ? { keyOrigin: ko } : {}) };
    }),
    ...meta,
  };
}

function problem(e: ConfigError, project: ConfigProject, convert: Converter): P.ConfigProblem {
  const out: P.ConfigProblem = { code: e.code, message: e.message };
  if (e.origin?.kind === 'file') {
    const path = project.absolute(e.origin.file);
    out.location = { uri: convert.uri(path), range: convert.range(path, e.origin.valueRange) };
  } else if (e.origin?.kind === 'override') {
    out.override = { index: e.origin.index, start: e.origin.range[0], end: e.origin.range[1] };
  }
  if (e.data?.options) out.options = [...e.data.options];
  return out;
}
