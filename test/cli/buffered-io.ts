import type { CommandIo, Host } from '../../tools/cli/commands/command';

/** What a command printed, and the I/O that captures it: sleeps return at once. */
export function bufferedIo(host?: Host): { io: CommandIo; printed: { stdout: string; stderr: string } } {
  const printed = { stdout: '', stderr: '' };
  const io: CommandIo = {
    stdout: { write: (text: string) => (printed.stdout += text) },
    stderr: { write: (text: string) => (printed.stderr += text) },
    sleep: async () => undefined,
    now: () => 0,
    host,
  };
  return { io, printed };
}
