import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemblyStateMachines, AssemblyStateMachine, selectStateMachines, stateMachineDiagram } from '../../diagram/assembly';
import { ASSEMBLY_OPTIONS, ASSEMBLY_SYNOPSIS, ASSEMBLY_USAGE, AssemblySource, assemblyDirOf, assemblySource } from './assembly-source';
import { AwsOptions, CommandDeps, CommandError, defineCommand, EXIT, Host, parseCommandLine, processHost, UsageError } from './command';

export interface DiagramOptions extends AwsOptions, AssemblySource {
  /** Part of a state machine's id (`<stack>/<construct>`) or logical id. @default - every state machine */
  readonly stateMachine?: string;
  /** Where to write an SVG rendered by mermaid-cli's `mmdc`. @default - only the Mermaid text is printed */
  readonly svg?: string;
}

export function parseDiagramArgs(args: readonly string[], host: Pick<Host, 'cwd'> = processHost()): DiagramOptions {
  const { values, positionals } = parseCommandLine({
    args: [...args],
    allowPositionals: true,
    options: { ...ASSEMBLY_OPTIONS, svg: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (positionals.length > 1) throw new UsageError(`diagram takes at most one state machine (got ${positionals.length})`);
  if (values.svg !== undefined) checkSvgDir(values.svg, host.cwd);
  return { stateMachine: positionals[0], svg: values.svg, ...assemblySource(values) };
}

/** The directory `--svg <file>` writes into must exist, checked now rather than by mmdc after the synth. */
function checkSvgDir(file: string, cwd: string): void {
  const dir = path.dirname(path.resolve(cwd, file));
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--svg ${file}: there is no directory ${dir} to write it in`);
  }
}

/**
 * Prints the Mermaid flowchart of each matching state machine of the assembly (each starts
 * with a `%%` line naming it); with `--svg`, also renders the one matching state machine.
 */
export async function diagram(options: DiagramOptions, deps: CommandDeps): Promise<number> {
  // Checked before synthesizing, which takes seconds.
  const mmdc = options.svg === undefined ? undefined : findMmdc((deps.host ?? processHost()).cwd);
  const machines = readAssembly(await assemblyDirOf(options, deps));
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
    throw new CommandError(`${dir}: ${(error as Error).message}`, { cause: error });
  }
}

function select(machines: AssemblyStateMachine[], selector?: string): AssemblyStateMachine[] {
  try {
    return selectStateMachines(machines, selector);
  } catch (error) {
    throw new CommandError((error as Error).message, { cause: error });
  }
}

/** mermaid-cli's `mmdc`, from the project's `node_modules/.bin` or the PATH. */
function findMmdc(projectDir: string): string {
  const executable = process.platform === 'win32' ? 'mmdc.cmd' : 'mmdc';
  const dirs = [path.join(projectDir, 'node_modules', '.bin'), ...(process.env.PATH ?? '').split(path.delimiter).filter((d) => d)];
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
  synopsis: `diagram [<state machine>] ${ASSEMBLY_SYNOPSIS} [--svg <file.svg>]`,
  description: [
    'Prints each state machine of the app as a Mermaid flowchart, read from its cloud assembly (offline: no AWS call).',
    '  <state machine>      part of <stack>/<construct> or of the logical id (default: every state machine)',
    ASSEMBLY_USAGE,
    '  --svg <file.svg>     also render the one matching state machine with mermaid-cli\'s mmdc, if installed',
  ].join('\n'),
  needsAws: false,
  parse: parseDiagramArgs,
  run: diagram,
});
