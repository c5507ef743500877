import * as path from 'node:path';
import { main } from '../../tools/cli/sdp';
import { exampleAssembly } from '../support/example-app';
import { bufferedIo } from './buffered-io';

// A failed local run shows its cause once, where it arose: the trace has the failed task's error and
// a one-line summary (the Lambda error's message), the last line the whole cause with its stack trace.
const { assemblyDir } = exampleAssembly();
const MALFORMED = path.join(__dirname, '..', 'fixtures', 'malformed-input.json');
const STACK_FRAME = /at wordLength \(/g;
const MESSAGE = 'item.word must be a string (got undefined)';

async function run(...args: string[]) {
  const { io, printed } = bufferedIo();
  const code = await main(['run', 'WordLength', '--input', MALFORMED, '--assembly', assemblyDir, ...args], io);
  return { code, ...printed };
}

test('the trace summarises the cause under the failed task; the last lines carry the error and the whole cause', async () => {
  const result = await run();
  expect([result.code, result.stdout]).toEqual([1, '']);
  expect(result.stderr.match(STACK_FRAME)).toHaveLength(1);
  expect(result.stderr).toMatch(new RegExp(`MapItem \\(Task\\)\\n\\s+error: WordValidationError\\n\\s+cause: ${MESSAGE.replace(/[()]/g, '\\$&')}\\n`));
  expect(result.stderr).toContain('cause: as under MapItems[1] › MapItem above');
  const [errorLine, causeLine] = result.stderr.trimEnd().split('\n').slice(-2);
  expect(errorLine).toBe('execution FAILED: WordValidationError');
  expect(JSON.parse(causeLine.replace(/^cause: /, ''))).toMatchObject({ errorType: 'WordValidationError', errorMessage: MESSAGE });
});

test('--json: the whole cause is in the document on stdout only', async () => {
  const result = await run('--json');
  expect(result.code).toBe(1);
  expect(JSON.parse(result.stdout)).toMatchObject({ status: 'FAILED', error: 'WordValidationError', cause: expect.stringMatching(STACK_FRAME) });
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stderr.trimEnd().split('\n').at(-1)).toBe('execution FAILED: WordValidationError');
});
