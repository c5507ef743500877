import { CfnTemplate, readCloudAssembly, resourcesOfType } from '../../assembly/cloud-assembly';
import { scheduleResources } from '../../local/schedules/schedule-definitions';
import type { ScheduleMode } from '../../local/local-app';
import { DEFAULT_WEB_VIEW_PORT } from '../../web-view/page';
import { ASSEMBLY_OPTIONS, ASSEMBLY_SYNOPSIS, ASSEMBLY_USAGE, AssemblySource, assemblyDirOf, assemblySource } from './assembly-source';
import { AwsOptions, CommandDeps, CommandError, CommandIo, defineCommand, Host, parseCommandLine, processHost, UsageError } from './command';
import {
  checkLocalEngines, DEFAULT_VISIBILITY_TIMEOUT_SECONDS, LOCAL_MAX_WAIT_SECONDS, ObjectToPut, objectToPut, TIME_SCALE_USAGE, timeScaleOption, visibilityTimeoutOption,
} from './run';

const SCHEDULE_MODES: readonly ScheduleMode[] = ['off', 'on', 'fast'];

export interface ServeOptions extends AwsOptions, AssemblySource {
  /** The stack to serve. @default - the app's only stack with a REST API or a schedule */
  readonly stack?: string;
  /** Port of the first REST API. @default 3000 */
  readonly port: number;
  /** Port of the web view (`/`: the session's state machines and executions). @default 3900 */
  readonly viewPort: number;
  /** @default 'on' */
  readonly schedules: ScheduleMode;
  readonly visibilityTimeoutSeconds: number;
  /** Factor of Wait states' waits and retries' back-offs (`--time-scale`). @default - real time */
  readonly timeScale?: number;
  readonly putObjects?: readonly ObjectToPut[];
}

export function parseServeArgs(args: readonly string[], host: Pick<Host, 'cwd'> = processHost()): ServeOptions {
  const { values } = parseCommandLine({
    args: [...args],
    allowPositionals: false,
    options: {
      ...ASSEMBLY_OPTIONS,
      'stack': { type: 'string' },
      'port': { type: 'string' },
      'view-port': { type: 'string' },
      'schedules': { type: 'string' },
      'put-object': { type: 'string', multiple: true },
      'visibility-timeout': { type: 'string' },
      'time-scale': { type: 'string' },
      'help': { type: 'boolean', short: 'h' },
    },
  });
  const port = values.port === undefined ? 3000 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '0') || port > 65_535) throw new UsageError(`--port must be a port number 0..65535, 0 for any free port (got '${values.port}')`);
  const viewPort = values['view-port'] === undefined ? DEFAULT_WEB_VIEW_PORT : Number(values['view-port']);
  if (!/^\d+$/.test(values['view-port'] ?? '0') || viewPort > 65_535) {
    throw new UsageError(`--view-port must be a port number 0..65535, 0 for any free port (got '${values['view-port']}')`);
  }
  const schedules = (values.schedules ?? 'on') as ScheduleMode;
  if (!SCHEDULE_MODES.includes(schedules)) throw new UsageError(`--schedules must be ${SCHEDULE_MODES.join(', ')} (got '${values.schedules}')`);
  return {
    stack: values.stack,
    port,
    viewPort,
    schedules,
    visibilityTimeoutSeconds: visibilityTimeoutOption(values['visibility-timeout']),
    ...values['time-scale'] !== undefined && { timeScale: timeScaleOption(values['time-scale']) },
    ...values['put-object'] && { putObjects: values['put-object'].map((spec) => objectToPut(spec, host.cwd)) },
    ...assemblySource(values),
  };
}

/** The stack to serve: the one named, else the only one with a REST API or a schedule. */
export function chooseServedStack(stacks: ReadonlyArray<{ name: string; template: CfnTemplate }>, name?: string): string {
  const serves = ({ template }: { template: CfnTemplate }) => {
    const { schedules, rules } = scheduleResources(template);
    return resourcesOfType(template, 'AWS::ApiGateway::RestApi').length + schedules.length + rules.length > 0;
  };
  if (name !== undefined) {
    const stack = stacks.find((s) => s.name === name);
    if (!stack) throw new CommandError(`the app has no stack '${name}' (stacks: ${stacks.map((s) => s.name).join(', ')})`);
    if (!serves(stack)) throw new CommandError(`stack ${name} has no REST API or schedule to serve; 'sdp run' runs its state machines`);
    return name;
  }
  const served = stacks.filter(serves);
  if (served.length === 0) throw new CommandError('the app has no REST API or schedule to serve; \'sdp run\' runs a state machine');
  if (served.length > 1) throw new CommandError(`${served.length} stacks have a REST API or a schedule; name one with --stack: ${served.map((s) => s.name).join(', ')}`);
  return served[0].name;
}

export async function serve(options: ServeOptions, deps: CommandDeps): Promise<number> {
  const host = deps.host ?? processHost();
  // Its own peers are checked before it loads (COMMANDS); the local run's engines here, as sdp run does.
  checkLocalEngines(host, 'serve');
  const assemblyDir = await assemblyDirOf(options, deps);
  const stackName = chooseServedStack(readCloudAssembly(assemblyDir), options.stack);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { serveLocally } = require('./serve-locally') as typeof import('./serve-locally');
  return serveLocally({ ...options, assemblyDir, stackName, maxWaitSeconds: LOCAL_MAX_WAIT_SECONDS }, deps as CommandIo);
}

export const serveCommand = defineCommand({
  synopsis: `serve ${ASSEMBLY_SYNOPSIS} [--stack <name>] [--port <n>] [--view-port <n>] [--schedules off|on|fast] [--put-object <bucket>/<key>=<file>]... `
    + '[--visibility-timeout <s>] [--time-scale <factor>]',
  description: [
    'Serves a stack of the app on this machine until Ctrl-C, from its cloud assembly: each REST API on 127.0.0.1 (its routes,',
    'request models, mapping templates and integration responses; its direct Step Functions integrations run the local',
    'state machines), each EventBridge schedule firing into its target, the workers draining their queues all along.',
    ASSEMBLY_USAGE,
    '  --stack <name>       the stack to serve (default: the only one with a REST API or a schedule)',
    '  --port <n>           port of the first REST API, the next ones on the next ports (default 3000; 0: any free port)',
    `  --view-port <n>      port of the web view on 127.0.0.1 (default ${DEFAULT_WEB_VIEW_PORT}; 0: any free port): / lists the state machines`,
    '                       with their diagrams and the executions of the session; /executions/<name> shows one, live',
    '  --schedules <mode>   on: schedules fire at their times (default); fast: 60 times faster, a 5-minute rate every',
    '                       5 s, and idle function instances are reclaimed 60 times sooner; off: no schedule fires',
    '  --put-object <bucket>/<key>=<file>  put the file in a bucket of the stack, in the local S3, before serving',
    `  --visibility-timeout <s> how long a received message stays invisible locally (default ${DEFAULT_VISIBILITY_TIMEOUT_SECONDS})`,
    TIME_SCALE_USAGE,
    '',
    'Authorization: IAM methods are accepted without a signature (no local SigV4); API-key methods need an x-api-key header.',
    'stderr: the routes and the next firings at start, then one line per request (method, path, status, execution name,',
    'time), per firing and per finished execution. On Ctrl-C: running executions get 10 s to finish, then the summary',
    '{ executions, requests, schedules, functions } is printed on stdout as one JSON line.',
    `Locally, Wait states wait at most ${LOCAL_MAX_WAIT_SECONDS} s (after --time-scale). Exit status: 0 stopped cleanly, 2 could not start.`,
  ].join('\n'),
  needsAws: false,
  parse: parseServeArgs,
  run: serve,
});
