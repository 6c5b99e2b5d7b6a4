// The protobuf messages the loggers write (W&B's transaction-log records, TensorBoard's Event), loaded into
// protobufjs from protos.json. That file is generated from the descriptors inside the real `wandb` and
// `tensorboard` Python packages (scripts/gen-log-protos.py), so field numbers are theirs, not ours.
import { Root, type Type } from 'protobufjs/light';
import json from './protos.json';

const root = Root.fromJSON(json as unknown as Parameters<typeof Root.fromJSON>[0]);

export const WandbRecord: Type = root.lookupType('wandb_internal.Record');
export const TbEvent: Type = root.lookupType('tensorboard.Event');

export function encode(type: Type, value: Record<string, unknown>): Uint8Array {
  const err = type.verify(value);
  // A wrong field here is a bug in our logger, never the user's input: fail loudly in tests.
  if (err) throw new Error(`${type.name}: ${err}`);
  return type.encode(type.fromObject(value)).finish();
}

export function decode(type: Type, bytes: Uint8Array): Record<string, unknown> {
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false }) as Record<string, unknown>;
}
