// Imported first by main.ts, so it runs before any other module: until the connection exists, console output
// goes to stderr, never to stdout, which on a stdio server carries only protocol messages.
import { format } from 'node:util';

const toStderr = (...args: unknown[]) => {
  process.stderr.write(format(...args) + '\n');
};
console.log = toStderr;
console.info = toStderr;
console.debug = toStderr;
