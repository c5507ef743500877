/** A JSON log entry as Powertools Logger writes it. */
export type LogEntry = Record<string, any>;

/**
 * Captures what handlers write to stdout and stderr from here until `jest.restoreAllMocks()`, so a test reads the
 * entries it expects (an ERROR with its stack, say) instead of printing them. Returns the JSON entries so far.
 */
export function captureLogs(): () => LogEntry[] {
  const spies = [process.stdout, process.stderr].map((stream) => jest.spyOn(stream, 'write').mockImplementation(() => true));
  return () => spies.flatMap((spy) => spy.mock.calls.map((call) => String(call[0])))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogEntry);
}
