// A loopback stand-in for the W&B service, just enough of it for the official @wandb/sdk client to run its real
// code paths: the GraphQL `Viewer` query and `UpsertBucket` mutation, and the run's `file_stream` endpoint. It
// records what the client sent and rebuilds the run's history the way file_stream offsets define it. Modes:
// The real `wandb sync` (Python) runs against it too: it also probes server features (`__type` queries) and
// uploads files through RunUploadUrls + PUT. Modes: `accept`, `deny` (GraphQL answers 403), `hang` (accepts connections, never answers).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface FakeWandb {
  url: string;
  upserts: Array<Record<string, unknown>>;
  /** History lines by offset, as the server would store them. */
  history: Array<Record<string, unknown>>;
  summary: Record<string, unknown>;
  complete: Array<{ exitcode: number }>;
  posts: number;
  /** Files uploaded through RunUploadUrls (name -> text), e.g. config.yaml and wandb-summary.json. */
  files: Record<string, string>;
  /** GraphQL operations it does not know (a client asked for more than this stand-in serves). */
  unknown: string[];
  close(): Promise<void>;
}

export async function startFakeWandb(mode: 'accept' | 'deny' | 'hang', entity = 'test-entity'): Promise<FakeWandb> {
  const sockets = new Set<Socket>();
  const state: Omit<FakeWandb, 'url' | 'close'> = { upserts: [], history: [], summary: {}, complete: [], posts: 0, unknown: [], files: {} };
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (mode === 'hang') return;
    let text = '';
    for await (const chunk of req) text += chunk;
    if (req.method === 'PUT' && req.url?.startsWith('/upload/')) {
      state.files[decodeURIComponent(req.url.slice('/upload/'.length))] = text;
      return reply(res, 200, {});
    }
    const body = text ? JSON.parse(text) : {};
    if (req.url === '/graphql') {
      if (mode === 'deny') return reply(res, 403, { errors: [{ message: 'permission denied' }] });
      const q = String(body.query);
      // Feature probes (`__type` introspection): answer that the server has no optional fields, as an old server would.
      if (q.includes('__type(')) {
        const data = Object.fromEntries([...q.matchAll(/(\w+): __type\(name: "(\w+)"\)/g)].map((m) => [m[1], { fields: [], inputFields: [] }]));
        return reply(res, 200, { data });
      }
      if (/query Viewer\b/.test(q)) return reply(res, 200, { data: { viewer: { id: 'u1', entity, flags: null, teams: { edges: [] } } } });
      if (/mutation UpsertBucket\b/.test(q)) {
        const v = body.variables as Record<string, string>;
        state.upserts.push(v);
        return reply(res, 200, { data: { upsertBucket: { inserted: true, bucket: {
          id: 'b1', name: v.name, displayName: v.displayName ?? v.name, description: null, config: v.config, sweepName: null,
          project: { id: 'p1', name: v.project, entity: { id: 'e1', name: v.entity || entity } } } } } });
      }
      if (/query RunUploadUrls\b/.test(q)) {
        const v = body.variables as { files: string[] };
        const edges = v.files.map((name) => ({ node: { name, url: `http://${req.headers.host}/upload/${encodeURIComponent(name)}`, updatedAt: null } }));
        return reply(res, 200, { data: { model: { bucket: { id: 'b1', files: { uploadHeaders: [], edges } } } } });
      }
      state.unknown.push(q);
      return reply(res, 400, { errors: [{ message: 'unknown operation' }] });
    }
    if (/^\/files\/[^/]+\/[^/]+\/[^/]+\/file_stream$/.test(req.url ?? '')) {
      state.posts++;
      const files = (body.files ?? {}) as Record<string, { offset: number; content: string[] }>;
      const h = files['wandb-history.jsonl'];
      if (h) {
        state.history.splice(h.offset);
        state.history.push(...h.content.map((l) => JSON.parse(l) as Record<string, unknown>));
      }
      const s = files['wandb-summary.json'];
      if (s) state.summary = JSON.parse(s.content[s.content.length - 1]!);
      if (body.complete) state.complete.push({ exitcode: body.exitcode });
      return reply(res, 200, {});
    }
    return reply(res, 404, {});
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => reply(res, 500, { errors: [{ message: String(e) }] }));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  });
}
