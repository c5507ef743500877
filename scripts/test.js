#!/usr/bin/env node
// npm test: the type check (`tsc --noEmit`) and jest at once. Run one after the other, the type check's 19 s and jest's
// global setup left most of the second core idle on these 2-core machines. Arguments go to jest. A type error stops
// jest and its errors are printed last, where a reader looks first; the exit code is the type check's, else jest's.
const { spawn } = require('node:child_process');

const typeCheck = spawn(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit'], { stdio: ['ignore', 'pipe', 'pipe'] });
// In a process group of its own, so that stopping it stops its workers too (they would finish their files otherwise).
const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], { stdio: 'inherit', detached: true });
const stopJest = (signal) => {
  try {
    process.kill(-jest.pid, signal);
    return true;
  } catch {
    return false;
  }
};
// The terminal's Ctrl-C reaches this process and tsc, not jest's group: passed on.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted = true;
    stopJest(signal);
    typeCheck.kill(signal);
  });
}

let typeErrors = '';
typeCheck.stdout.on('data', (chunk) => { typeErrors += chunk; });
typeCheck.stderr.on('data', (chunk) => { typeErrors += chunk; });

const exited = (child) => new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
let jestStopped = false;
const typeCheckCode = exited(typeCheck).then((code) => {
  if (code !== 0 && jest.exitCode === null && jest.signalCode === null) jestStopped = stopJest('SIGTERM');
  return code;
});

Promise.all([typeCheckCode, exited(jest)]).then(([typeCode, jestCode]) => {
  if (interrupted) {
    process.exitCode = 130;
  } else if (typeCode !== 0) {
    process.stderr.write(`\ntsc --noEmit found type errors${jestStopped ? ' (jest was stopped)' : ''}:\n${typeErrors}`);
    process.exitCode = typeCode;
  } else {
    process.exitCode = jestCode;
  }
});
