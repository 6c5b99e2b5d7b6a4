// A bounded CPU burner for `BAIT_TEST_LOAD` (see scripts/test.mjs): one busy loop that keeps one core busy, so the
// test suite runs the way it does on a loaded machine. It ends by itself when its parent (the test script) is
// gone or after `maxSeconds`, so an interrupted test run never leaves it behind.
const maxSeconds = Number(process.argv[2] ?? 3600);
const parent = process.ppid;
const end = Date.now() + maxSeconds * 1000;
let sink = 0;
for (;;) {
  // About 10 ms of arithmetic between checks.
  for (let i = 0; i < 2e6; i++) sink += Math.sqrt(i) * 1e-9;
  if (Date.now() > end || process.ppid !== parent) break;
}
if (sink < 0) console.log(sink);
