import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemblyStateMachines, AssemblyStateMachine, selectStateMachines, stateMachineDiagram } from '../../diagram/assembly';
import { createExampleApp } from '../../../examples/example-app';
import { AwsOptions, CommandDeps, CommandError, defineCommand, EXIT, parseCommandLine, UsageError } from './command';

export interface DiagramOptions extends AwsOptions {
  /** Part of a state machine's id (`<stack>/<construct>`) or logical id. @default - every state machine */
  readonly stateMachine?: string;
  /** A cloud assembly synthesized before. @default - the example app, synthesized into a temporary directory */
  readonly assembly?: string;
  /** Where to write an SVG rendered by mermaid-cli's `mmdc`. @default - only the Mermaid text is printed */
  readonly svg?: string;
}

export function parseDiagramArgs(args: readonly string[]): DiagramOptions {
  const { values, positionals } = parseCommandLine({
    args: [...args],
    allowPositionals: true,
    options: { assembly: { type: 'string' }, svg: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (positionals.length > 1) throw new UsageError(`diagram takes at most one state machine (got ${positionals.length})`);
  return { stateMachine: positionals[0], assembly: values.assembly, svg: values.svg };
}

/**
 * Prints the Mermaid flowchart of each matching state machine of the assembly (each starts
 * with a `%%` line naming it); with `--svg`, also renders the one matching state machine.
 */
export async function diagram(options: DiagramOptions, deps: CommandDeps): Promise<number> {
  // Checked before synthesizing, which takes seconds.
  const mmdc = options.svg === undefined ? undefined : findMmdc();
  const machines = options.assembly === undefined
    ? withExampleAssembly(deps, (dir) => assemblyStateMachines(dir))
    : readAssembly(options.assembly);
  const selected = select(machines, options.stateMachine);
  const diagrams = selected.map(stateMachineDiagram);
  deps.stdout.write(diagrams.join('\n'));
  if (mmdc !== undefined) {
    if (selected.length !== 1) {
      throw new CommandError(`--svg renders one state machine, and ${selected.length} match (${selected.map((m) => m.id).join(', ')}); name one`);
    }
    renderSvg(mmdc, diagrams[0], options.svg!);
    deps.stderr.write(`wrote ${options.svg}\n`);
  }
  return EXIT.succeeded;
}

function readAssembly(dir: string): AssemblyStateMachine[] {
  try {
    return assemblyStateMachines(dir);
  } catch (error) {
    throw new CommandError(`--assembly ${dir}: ${(error as Error).message}`, { cause: error });
  }
}

function select(machines: AssemblyStateMachine[], selector?: string): AssemblyStateMachine[] {
  try {
    return selectStateMachines(machines, selector);
  } catch (error) {
    throw new CommandError((error as Error).message, { cause: error });
  }
}

/** Synthesizes the example app into a temporary directory, reads it with `read` and removes it. */
function withExampleAssembly<T>(deps: CommandDeps, read: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-diagram-'));
  try {
    deps.stderr.write('synthesizing the example app (--assembly <cdk.out> reads one synthesized before)\n');
    createExampleApp({ outdir: dir }).synth();
    return read(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** mermaid-cli's `mmdc`, from the project's `node_modules/.bin` or the PATH. */
function findMmdc(): string {
  const executable = process.platform === 'win32' ? 'mmdc.cmd' : 'mmdc';
  const dirs = [path.join(__dirname, '..', '..', 'node_modules', '.bin'), ...(process.env.PATH ?? '').split(path.delimiter).filter((d) => d)];
  const found = dirs.map((dir) => path.join(dir, executable)).find((file) => fs.existsSync(file));
  if (!found) {
    throw new CommandError('--svg needs mermaid-cli\'s mmdc, which is not installed: install it with '
      + '`npm install -g @mermaid-js/mermaid-cli` (it downloads a headless Chromium), or paste the printed text into a Mermaid renderer');
  }
  return found;
}

function renderSvg(mmdc: string, mermaid: string, svgFile: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-diagram-'));
  try {
    const input = path.join(dir, 'diagram.mmd');
    fs.writeFileSync(input, mermaid);
    const result = spawnSync(mmdc, ['--input', input, '--output', path.resolve(svgFile)], { encoding: 'utf8' });
    if (result.error || result.status !== 0) {
      throw new CommandError(`mmdc failed: ${result.error?.message ?? result.stderr.trim()}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const diagramCommand = defineCommand({
  synopsis: 'diagram [<state machine>] [--assembly <cdk.out>] [--svg <file.svg>]',
  description: 'Prints each state machine of the app as a Mermaid flowchart (offline: no AWS call). <state machine>: part of\n'
    + '<stack>/<construct> or of the logical id. --assembly: read one synthesized before instead of synthesizing the\n'
    + 'example app. --svg: also render the one matching state machine with mermaid-cli\'s mmdc, if installed.',
  needsAws: false,
  parse: parseDiagramArgs,
  run: diagram,
});
