// The stop request of `bait stop`: a file in the run directory that the training loop polls. A file works for
// every kind of run (local, detached, remote over SSH, SLURM), where a signal only reaches a local process.
export const STOP_FILE = '.stop-request';
