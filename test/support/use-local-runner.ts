import { LocalRunner, LocalRunnerOptions } from '../../tools/local/local-runner';

/**
 * A LocalRunner started before the tests of the enclosing describe block and
 * stopped after them; blocks run one after the other, so one runner at a time.
 */
export function useLocalRunner(options: () => LocalRunnerOptions): () => LocalRunner {
  let runner: LocalRunner;
  beforeAll(async () => {
    runner = await LocalRunner.start(options());
  });
  afterAll(async () => {
    await runner?.stop();
  });
  return () => runner;
}
