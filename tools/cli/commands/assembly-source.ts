import { cloudAssemblyDir } from '../../assembly/synthesize';
import { CommandIo, processHost, UsageError } from './command';

/** The options of the commands that read an app's cloud assembly, for `parseArgs`. */
export const ASSEMBLY_OPTIONS = {
  app: { type: 'string' },
  assembly: { type: 'string' },
  synth: { type: 'boolean' },
} as const;

export const ASSEMBLY_SYNOPSIS = '[--app "<command>" | --assembly <dir>] [--synth]';

export const ASSEMBLY_USAGE = [
  '  --app "<command>"    synthesize the app with this command (default: the "app" of ./cdk.json) into cdk.json\'s',
  '                       "output" (default cdk.out); skipped when nothing under . changed since sdp synthesized it there',
  '  --assembly <dir>     read a cloud assembly synthesized before (e.g. by \'npx cdk synth\') instead',
  '  --synth              synthesize even when nothing changed',
].join('\n');

/** Where a command's cloud assembly comes from. */
export interface AssemblySource {
  /** `--app`: the command that synthesizes the app. @default - the `app` of ./cdk.json */
  readonly app?: string;
  /** `--assembly`: a cloud assembly synthesized before. @default - the app is synthesized */
  readonly assembly?: string;
  /** `--synth`: synthesize even when nothing changed. @default false */
  readonly synth?: boolean;
}

/** The assembly source of parsed options; throws `UsageError` for a combination that makes no sense. */
export function assemblySource(values: { app?: string; assembly?: string; synth?: boolean }): AssemblySource {
  if (values.assembly !== undefined && values.app !== undefined) throw new UsageError('give --app or --assembly, not both');
  if (values.assembly !== undefined && values.synth) throw new UsageError('--synth synthesizes the app; --assembly reads an assembly as it is');
  return { app: values.app, assembly: values.assembly, synth: values.synth ?? false };
}

/** The directory of the assembly: read, reused or synthesized now, saying which on stderr. */
export function assemblyDirOf(source: AssemblySource, io: CommandIo): Promise<string> {
  const host = io.host ?? processHost();
  return cloudAssemblyDir({ cwd: host.cwd, env: host.env, app: source.app, assembly: source.assembly, forceSynth: source.synth }, io.stderr);
}
