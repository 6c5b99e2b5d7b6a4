// The config language server: `node dist/server.js --stdio` (any LSP client) or over Node IPC (VS Code's
// language client). stdout carries only protocol messages, so console output goes to the client's log.
import './stdout-guard.js';
import { format } from 'node:util';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node.js';
import { TARGET_DOCS as TARGETS } from '../runner/instantiate/targets.js';
import { IncomingMessages } from './handlers/incoming.js';
import { registerHandlers } from './handlers/register.js';

// The transport (--stdio, --node-ipc, --socket=N) is read from the command line by createConnection. The
// background scheduler watches the messages handled, so that it resumes only once every queued one is answered.
const incoming = new IncomingMessages();
const connection = createConnection(ProposedFeatures.all, { messageStrategy: incoming.strategy });

// A stray console.log on a stdio server would corrupt the protocol stream: send it to the client instead.
console.log = (...args: unknown[]) => connection.console.log(format(...args));
console.info = (...args: unknown[]) => connection.console.info(format(...args));
console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
console.error = (...args: unknown[]) => connection.console.error(format(...args));
console.debug = (...args: unknown[]) => connection.console.log(format(...args));

// Bad input must never take the server down: a failure is logged and the request answered with nothing.
process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e?.stack ?? String(e)}`));
process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${e instanceof Error ? e.stack : String(e)}`));

// The runner's built-in `_target_` registry is injected here, the one place the server reaches past
// runner/config: its entries carry constructors (and so pull in tfjs), which the service never calls.
registerHandlers(connection, { targets: TARGETS, incoming });
connection.listen();
