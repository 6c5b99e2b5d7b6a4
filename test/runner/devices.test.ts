// `trainer.devices` as Lightning reads it, the adapter it selects (with CUDA_VISIBLE_DEVICES), Lightning's
// accelerator names, and the pure parts of the webgpu backend's probing (no GPU needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendChoice } from '../../runner/backend/index.js';
import { parseDevices, pickAdapter, visibleDevices } from '../../runner/backend/devices.js';
import { isSoftwareAdapter, parseAdapterList, vulkanLoaderFound } from '../../runner/backend/webgpu.js';
import { UserError } from '../../runner/run/errors.js';

test('devices: ints, lists, strings and auto as Lightning reads them', () => {
  assert.deepEqual(parseDevices(undefined), { logical: 0, count: 1 });
  assert.deepEqual(parseDevices('auto'), { logical: 0, count: 1 });
  assert.deepEqual(parseDevices(1), { logical: 0, count: 1 });
  assert.deepEqual(parseDevices(4), { logical: 0, count: 4 });
  assert.deepEqual(parseDevices(-1), { logical: 0, count: 'all' });
  assert.deepEqual(parseDevices('-1'), { logical: 0, count: 'all' });
  assert.deepEqual(parseDevices([2]), { logical: 2, count: 1 });
  assert.deepEqual(parseDevices([1, 3]), { logical: 1, count: 2 });
  assert.deepEqual(parseDevices('2'), { logical: 0, count: 2 });
  assert.deepEqual(parseDevices('1,'), { logical: 1, count: 1 });
  assert.deepEqual(parseDevices('0, 2'), { logical: 0, count: 2 });
  for (const bad of [0, -2, 1.5, [], [-1], ['a'], 'gpu', '', ',', true, { a: 1 }]) {
    assert.throws(() => parseDevices(bad), (e: unknown) => e instanceof UserError && e.key === 'trainer.devices', JSON.stringify(bad));
  }
});

test('devices: CUDA_VISIBLE_DEVICES maps logical indices to physical adapters', () => {
  assert.deepEqual(visibleDevices({}), undefined);
  assert.deepEqual(visibleDevices({ CUDA_VISIBLE_DEVICES: '3,1' }), [3, 1]);
  assert.deepEqual(visibleDevices({ CUDA_VISIBLE_DEVICES: 'GPU-8f2e' }), undefined, 'UUIDs are not indices');
  // The local launcher's one-GPU-per-job: job on GPU 2 of 4 asks for its first device.
  assert.equal(pickAdapter(parseDevices(1), 4, { CUDA_VISIBLE_DEVICES: '2' }).index, 2);
  assert.equal(pickAdapter(parseDevices([1]), 4, { CUDA_VISIBLE_DEVICES: '3,1' }).index, 1);
  // A driver that already hides the other GPUs enumerates one adapter: the logical index is used.
  assert.equal(pickAdapter(parseDevices(1), 1, { CUDA_VISIBLE_DEVICES: '2' }).index, 0);
  assert.equal(pickAdapter(parseDevices([1]), 2, {}).index, 1);
  assert.match(pickAdapter(parseDevices(2), 2, {}).notes.join(), /one adapter/);
  assert.throws(() => pickAdapter(parseDevices([3]), 2, {}), /adapter 3, but this host has 2/);
  assert.throws(() => pickAdapter(parseDevices([1]), 4, { CUDA_VISIBLE_DEVICES: '2' }), /only 1 visible/);
});

test('accelerator: Lightning names map onto backends; unknown ones list the choices', () => {
  assert.equal(backendChoice(undefined), 'auto');
  assert.equal(backendChoice('gpu'), 'gpu');
  assert.equal(backendChoice('cuda'), 'gpu');
  assert.equal(backendChoice('webgpu'), 'webgpu');
  assert.equal(backendChoice('cpu'), 'cpu');
  assert.throws(() => backendChoice('tpu'), /use one of auto, gpu, cuda, webgpu, tensorflow, wasm, cpu/);
});

test('webgpu probing: adapter lists, software adapters, the Vulkan loader', () => {
  const msg = "no adapter  with name 'x' found\nAvailable adapters:\n * backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3'\n" +
    " * backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)'";
  assert.deepEqual(parseAdapterList(msg), ['NVIDIA H100 80GB HBM3', 'llvmpipe (LLVM 15.0.6, 256 bits)']);
  assert.deepEqual(parseAdapterList('no suitable backends found'), []);
  assert.equal(isSoftwareAdapter({ isFallbackAdapter: true }), true);
  assert.equal(isSoftwareAdapter({ architecture: 'software' }), true);
  assert.equal(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H100', description: 'NVIDIA: 550.54' }), false);
  if (process.platform === 'linux') {
    assert.equal(vulkanLoaderFound('\tlibvulkan.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libvulkan.so.1', []), true);
    assert.equal(vulkanLoaderFound('\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6', ['/nonexistent']), false);
  }
});
