import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../tools/cli/sdp';
import { bufferedIo } from './buffered-io';
import { greeterApp } from './greeter-app';

// The app's cloud assembly, synthesized as the CDK CLI synthesizes it, and reused while nothing changed.
const GREETING = { greeting: 'hello', region: 'local', pathMetadata: true };

async function sdp(host: ReturnType<typeof greeterApp>['host'], ...argv: string[]) {
  const { io, printed } = bufferedIo(host);
  const code = await main(argv, io);
  return { code, ...printed };
}

describe('the app of ./cdk.json', () => {
  const app = greeterApp();
  afterAll(() => app.remove());

  test('is synthesized into cdk.out with CDK_OUTDIR and CDK_CONTEXT_JSON (cdk.json\'s context over cdk.context.json\'s), its output on stderr', async () => {
    const run = await sdp(app.host, 'run', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'SUCCEEDED', output: GREETING, stateMachine: 'Greetings/Greeter', stack: 'Greetings' });
    expect(run.stderr).toContain('synthesizing into cdk.out: node app.js\ngreeter app: synthesizing\n');
    expect(fs.existsSync(path.join(app.dir, 'cdk.out', 'manifest.json'))).toBe(true);
    expect(app.synths()).toBe(1);
  });

  test('a second run with nothing changed reuses the assembly: the app does not run again', async () => {
    const run = await sdp(app.host, 'run', 'Greeter');
    expect([run.code, run.stdout]).toEqual([0, `${JSON.stringify(GREETING)}\n`]);
    expect(run.stderr).toContain('reusing cdk.out: nothing changed since sdp synthesized it (--synth synthesizes anyway)\n');
    expect(app.synths()).toBe(1);
  });

  test('a changed file under the project, or --synth, synthesizes again', async () => {
    fs.writeFileSync(path.join(app.dir, 'notes.txt'), 'changed');
    expect((await sdp(app.host, 'run')).stderr).toContain('synthesizing into cdk.out');
    expect(app.synths()).toBe(2);
    expect((await sdp(app.host, 'run')).stderr).toContain('reusing cdk.out');
    expect((await sdp(app.host, 'run', '--synth')).stderr).toContain('synthesizing into cdk.out');
    expect(app.synths()).toBe(3);
  });

  test('diagram reads the same assembly', async () => {
    const run = await sdp(app.host, 'diagram');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('%% Greetings/Greeter (GreeterStateMachine1A2B3C4D)');
    expect(run.stderr).toContain('reusing cdk.out');
    expect(app.synths()).toBe(3);
  });
});

describe('--app', () => {
  const app = greeterApp({ cdkJson: false });
  afterAll(() => app.remove());

  test('without it, or --assembly, or a cdk.json, there is nothing to run: exit 2 saying so', async () => {
    const run = await sdp(app.host, 'run');
    expect(run).toEqual({
      code: 2, stdout: '',
      stderr: `error: no app to synthesize: ${path.join(app.dir, 'cdk.json')} does not exist; give --app "<command>", or --assembly <dir>\n`,
    });
  });

  test('synthesizes with the given command, and reuses its assembly while the command and the files are the same', async () => {
    expect((await sdp(app.host, 'run', '--app', 'node app.js')).stdout).toBe('{"pathMetadata":true}\n');
    expect((await sdp(app.host, 'run', '--app', 'node app.js')).stderr).toContain('reusing cdk.out');
    expect((await sdp(app.host, 'run', '--app', 'node  app.js')).stderr).toContain('synthesizing into cdk.out: node  app.js');
    expect(app.synths()).toBe(2);
  });

  test('an app that fails exits 2 with its output, and its half-written assembly is not reused', async () => {
    const failing = 'node -e "console.error(\'no credentials for the lookup\'); process.exit(3)"';
    const run = await sdp(app.host, 'run', '--app', failing);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no credentials for the lookup\n');
    expect(run.stderr).toContain(`error: the app failed (exit status 3; its output is above): ${failing}\n`);
    expect((await sdp(app.host, 'run', '--app', 'node app.js')).stderr).toContain('synthesizing into cdk.out');
  });
});
