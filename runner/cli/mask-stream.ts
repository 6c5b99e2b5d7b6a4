// A writable stream seen through a text mask (secrets read through `oc.env`, see runner/config/secrets.ts): what
// the CLI prints passes the mask, wherever in the code it is written from.

export function maskStream(stream: NodeJS.WritableStream, mask: (text: string) => string): NodeJS.WritableStream {
  return new Proxy(stream, {
    get(target, key) {
      if (key === 'write') {
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...a: unknown[]) => boolean)(typeof chunk === 'string' ? mask(chunk) : chunk, ...rest);
      }
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
