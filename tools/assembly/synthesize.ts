import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where progress and the app's own output are printed (stderr: stdout is kept for results). */
export interface ProgressLog {
  write(text: string): unknown;
}

/** Where the cloud assembly comes from: one synthesized before, or the app, synthesized now unless nothing changed. */
export interface AssemblySourceOptions {
  /** The directory the project's `cdk.json` is in; the app runs there. */
  readonly cwd: string;
  /** A cloud assembly synthesized before (`--assembly`), read as it is. @default - the app is synthesized */
  readonly assembly?: string;
  /** The command that synthesizes the app (`--app`). @default - the `app` of `<cwd>/cdk.json` */
  readonly app?: string;
  /** Synthesize even when nothing changed since the last synth into the output directory (`--synth`). @default false */
  readonly forceSynth?: boolean;
  /** The environment the app runs in. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The app could not be synthesized, or the assembly read: the message says why. */
export class AssemblySourceError extends Error {}

/** What sdp writes into the output directory after a successful synth: the inputs' fingerprint and the manifest's hash. */
export const FINGERPRINT_FILE = 'sdp.fingerprint';

// Bumped when what sdp passes to the app changes, so that assemblies of an older sdp are synthesized again.
const FINGERPRINT_VERSION = '1';

/** The parts of `cdk.json` sdp reads. */
interface CdkJson {
  readonly app?: string;
  readonly output?: string;
  readonly context?: Record<string, unknown>;
}

/**
 * The directory of the cloud assembly to read: `assembly` as given, or the output directory
 * (`cdk.json`'s `output`, else `cdk.out`) after synthesizing the app into it as the CDK CLI does —
 * the command through the shell in `cwd`, with `CDK_OUTDIR` and `CDK_CONTEXT_JSON` (`cdk.json`'s
 * context over `cdk.context.json`'s). The synth is skipped when the command, the context and the
 * files under `cwd` (but `node_modules`, dot-directories and the output directory) are what they
 * were at the last synth sdp made into that directory. Says on `log` which it did.
 */
export async function cloudAssemblyDir(options: AssemblySourceOptions, log: ProgressLog): Promise<string> {
  if (options.assembly !== undefined) {
    const dir = path.resolve(options.cwd, options.assembly);
    if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
      throw new AssemblySourceError(`--assembly ${options.assembly}: no cloud assembly there (${path.join(dir, 'manifest.json')} is missing)`);
    }
    return dir;
  }
  const project = readJsonFile<CdkJson>(path.join(options.cwd, 'cdk.json')) ?? {};
  const app = options.app ?? project.app;
  if (!app) {
    throw new AssemblySourceError(`no app to synthesize: ${path.join(options.cwd, 'cdk.json')} `
      + `${fs.existsSync(path.join(options.cwd, 'cdk.json')) ? 'names no "app"' : 'does not exist'}; give --app "<command>", or --assembly <dir>`);
  }
  const outdir = path.resolve(options.cwd, project.output ?? 'cdk.out');
  const context = {
    ...readJsonFile<Record<string, unknown>>(path.join(options.cwd, 'cdk.context.json')),
    ...project.context,
    // What the CDK CLI asks of every synth: construct paths and asset directories in the template's metadata.
    // No version reporting: the local run is offline.
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:version-reporting': false,
  };
  const shown = path.relative(options.cwd, outdir) || '.';
  const inputs = inputsFingerprint(app, context, options.cwd, outdir);
  const stored = storedFingerprint(outdir);
  if (!options.forceSynth && stored !== undefined && stored === assemblyFingerprint(inputs, outdir)) {
    log.write(`reusing ${shown}: nothing changed since sdp synthesized it (--synth synthesizes anyway)\n`);
    return outdir;
  }
  log.write(`synthesizing into ${shown}: ${app}\n`);
  fs.rmSync(path.join(outdir, FINGERPRINT_FILE), { force: true });
  await runApp(app, { cwd: options.cwd, env: { ...(options.env ?? process.env), CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) } }, log);
  const fingerprint = assemblyFingerprint(inputs, outdir);
  if (fingerprint === undefined) throw new AssemblySourceError(`the app wrote no cloud assembly into ${outdir} (no manifest.json): ${app}`);
  fs.writeFileSync(path.join(outdir, FINGERPRINT_FILE), fingerprint);
  return outdir;
}

/** Runs the app's command through the shell, its stdout and stderr copied to `log`; rejects when it fails. */
function runApp(app: string, options: { cwd: string; env: NodeJS.ProcessEnv }, log: ProgressLog): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(app, { ...options, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => log.write(text));
    }
    child.on('error', (error) => reject(new AssemblySourceError(`cannot run the app (${app}): ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new AssemblySourceError(`the app failed (${signal ? `signal ${signal}` : `exit status ${code}`}; its output is above): ${app}`));
    });
  });
}

/** The hash of what a synth depends on: the command, the context and every file of the project. */
function inputsFingerprint(app: string, context: Record<string, unknown>, cwd: string, outdir: string): string {
  const hash = createHash('sha256').update(JSON.stringify([FINGERPRINT_VERSION, app, context]));
  for (const file of projectFiles(cwd, outdir)) {
    hash.update(`\0${path.relative(cwd, file)}\0`);
    hash.update(fs.lstatSync(file).isSymbolicLink() ? fs.readlinkSync(file) : fs.readFileSync(file));
  }
  return hash.digest('hex');
}

/**
 * The inputs' fingerprint with the hash of the assembly's manifest, so that an assembly another tool wrote
 * into the directory since (`cdk synth`) is not taken for sdp's; undefined when there is no manifest.
 */
function assemblyFingerprint(inputs: string, outdir: string): string | undefined {
  const manifest = path.join(outdir, 'manifest.json');
  if (!fs.existsSync(manifest)) return undefined;
  return `${inputs}\n${createHash('sha256').update(fs.readFileSync(manifest)).digest('hex')}\n`;
}

function storedFingerprint(outdir: string): string | undefined {
  const file = path.join(outdir, FINGERPRINT_FILE);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

/** Every file under `dir` in a stable order, but those in node_modules, dot-directories and `outdir`; links are not followed. */
function projectFiles(dir: string, outdir: string): string[] {
  const files: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.') && full !== outdir) files.push(...projectFiles(full, outdir));
    }
    else if (entry.isFile() || entry.isSymbolicLink()) files.push(full);
  }
  return files;
}

/** A JSON file of the project, or undefined when it does not exist. */
function readJsonFile<T>(file: string): T | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new AssemblySourceError(`${file} is not JSON: ${(error as Error).message}`);
  }
}
