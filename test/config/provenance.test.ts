// Provenance: every composed value knows the file and range that set it, and the chain of definitions it
// replaced. Checked on a real BAIT final config and on command-line overrides.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compose, selectNode, type Origin } from '../../runner/config/index.js';
import { DiskSource } from '../../runner/disk-source.js';
import { CONFORMANCE } from './conformance-cases.js';

const source = new DiskSource(join(CONFORMANCE, 'bait', 'configs'));

/** 1-based line of an offset in a config file. */
function lineOf(origin: Origin): string {
  assert.equal(origin.kind, 'file');
  if (origin.kind !== 'file') return '';
  const text = source.read(origin.file)!;
  const line = text.slice(0, origin.valueRange[0]).split('\n').length;
  return `${origin.file}:${line}:${text.slice(origin.valueRange[0], origin.valueRange[1])}`;
}

function expectedLine(file: string, needle: string): string {
  const text = source.read(file)!;
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} in ${file}`);
  const value = needle.slice(needle.indexOf(':') + 1).trim();
  return `${file}:${i + 1}:${value}`;
}

const r = compose({ source, configName: 'premise_selection/hol4/gnn', overrides: ['model.lr=0.5', 'exp_config.name=mine'] });

function origins(path: string) {
  const node = selectNode(r.config!, path);
  assert.ok(node, `${path} is composed`);
  return node!;
}

test('a value set in the final config points at its line, and the chain names the base it overrode', () => {
  assert.deepEqual(r.errors, []);
  const n = origins('logging_config.project');
  assert.equal(lineOf(n.origin!), expectedLine('premise_selection/hol4/hol4.yaml', 'project: hol4_premise_pretrain'));
  assert.deepEqual(n.history!.map(lineOf), [expectedLine('base/logging_config.yaml', 'project: ???')]);
});

test('a value from a data_type option replaces `???` from the base and keeps it in the chain', () => {
  const n = origins('data_config.type');
  assert.equal(lineOf(n.origin!), expectedLine('data_type/gnn.yaml', "type: 'graph'"));
  assert.deepEqual(n.history!.map(lineOf), [expectedLine('base/data_config.yaml', 'type: ???')]);
});

test('a nested value overridden twice keeps the whole chain in order', () => {
  const n = origins('data_config.data_options.filter');
  assert.equal(lineOf(n.origin!), expectedLine('data_type/gnn.yaml', "filter: ['tokens', 'edge_index', 'edge_attr']"));
  assert.deepEqual(n.history!.map(lineOf), [expectedLine('base/data_config.yaml', 'filter: ??')]);
  const db = origins('data_config.data_options.db');
  assert.equal(lineOf(db.origin!), expectedLine('premise_selection/hol4/hol4.yaml', "db: 'hol4'"));
});

test('a value never overridden has no chain', () => {
  const n = origins('model.batch_size');
  assert.equal(lineOf(n.origin!), expectedLine('premise_selection/premise_selection.yaml', 'batch_size: 32'));
  assert.equal(n.history, undefined);
});

test('command-line overrides point into the override text and keep the file chain', () => {
  const lr = origins('model.lr');
  assert.equal(lr.origin!.kind, 'override');
  if (lr.origin!.kind === 'override') {
    assert.equal(lr.origin!.index, 0);
    assert.equal(lr.origin!.text.slice(lr.origin!.range[0], lr.origin!.range[1]), '0.5');
  }
  assert.deepEqual(lr.history!.map(lineOf), [expectedLine('premise_selection/premise_selection.yaml', 'lr: 1e-4')]);
  const name = origins('exp_config.name');
  assert.equal(name.origin!.kind, 'override');
  assert.deepEqual(name.history!.map(lineOf), [
    expectedLine('base/exp_config.yaml', 'name: ???'),
    expectedLine('premise_selection/hol4/gnn.yaml', 'name: bag_of_words'),
  ]);
});

test('keys remember the range of the key that set them', () => {
  const model = r.config!.entries.get('model')!;
  const ko = model.node.kind === 'dict' ? model.node.entries.get('goal_embedding_module')!.keyOrigin! : undefined;
  assert.ok(ko && ko.kind === 'file');
  if (ko && ko.kind === 'file') {
    assert.equal(ko.file, 'premise_selection/hol4/gnn.yaml');
    assert.equal(source.read(ko.file)!.slice(ko.valueRange[0], ko.valueRange[1]), 'goal_embedding_module');
  }
});
