// The local run: import from 'lib/local' (kept out of lib/index.ts so deploying the constructs needs none of the emulators).
export * from './cloud-assembly';
export * from './history-events';
export * from './intrinsics';
export * from './local-dynamodb';
export * from './local-lambda';
export * from './local-runner';
export * from './task-integrations';
