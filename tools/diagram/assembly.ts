import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCloudAssembly, resourcesOfType } from '../assembly/cloud-assembly';
import { IntrinsicResolver } from '../assembly/intrinsics';
import { AslDefinition, toMermaid } from './mermaid';

/** A state machine of a synthesized cloud assembly, with its definition. */
export interface AssemblyStateMachine {
  /** `<stack>/<construct>`, e.g. `WordLengthExample/WordLength`: the construct path of the state machine's owner. */
  readonly id: string;
  /** The stack's artifact id. */
  readonly stackName: string;
  /** The `AWS::StepFunctions::StateMachine` resource's logical id. */
  readonly logicalId: string;
  /** The definition, with intrinsics resolved to local names (logical ids where the template sets no name). */
  readonly definition: AslDefinition;
}

/** Every state machine of the cloud assembly in `assemblyDir`, in manifest and template order. */
export function assemblyStateMachines(assemblyDir: string): AssemblyStateMachine[] {
  return readCloudAssembly(assemblyDir).flatMap((stack) => {
    const resolver = new IntrinsicResolver(stack.template);
    const paths = constructPaths(assemblyDir, stack.name);
    return resourcesOfType(stack.template, 'AWS::StepFunctions::StateMachine').map((logicalId) => {
      const resource = stack.template.Resources[logicalId];
      const id = stateMachineId(stack.name, logicalId, resource.Metadata?.['aws:cdk:path'] ?? paths.get(logicalId));
      try {
        return { id, stackName: stack.name, logicalId, definition: resolver.stateMachineDefinition(logicalId) as AslDefinition };
      } catch (error) {
        throw new Error(`cannot read the definition of ${id}: ${(error as Error).message}`, { cause: error });
      }
    });
  });
}

/** The Mermaid flowchart of a state machine, with a `%%` comment naming it: what `diagram` prints and the README embeds. */
export function stateMachineDiagram(machine: AssemblyStateMachine): string {
  return toMermaid(machine.definition, { title: `${machine.id} (${machine.logicalId})` });
}

/**
 * The state machines whose id or logical id contains `selector` (all of them without one).
 * None matching is an error that lists the ids there are.
 */
export function selectStateMachines(machines: readonly AssemblyStateMachine[], selector?: string): AssemblyStateMachine[] {
  if (selector === undefined) return [...machines];
  const matches = machines.filter((m) => m.id.includes(selector) || m.logicalId.includes(selector));
  if (matches.length === 0) {
    const known = machines.map((m) => `${m.id} (${m.logicalId})`).join(', ') || 'none';
    throw new Error(`no state machine matches '${selector}' (state machines: ${known})`);
  }
  return matches;
}

/**
 * The construct path of each logical id of a stack, from the `aws:cdk:logicalId` entries of the
 * stack's metadata in the manifest (or the file it points to), which every synth writes: the
 * templates carry `aws:cdk:path` only when the CDK CLI synthesizes.
 */
function constructPaths(assemblyDir: string, stackName: string): Map<string, string> {
  const artifact = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8')).artifacts[stackName];
  const metadata: Record<string, Array<{ type: string; data: unknown }>> = {
    ...artifact.metadata,
    ...artifact.additionalMetadataFile && JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.additionalMetadataFile), 'utf8')),
  };
  const paths = new Map<string, string>();
  for (const [constructPath, entries] of Object.entries(metadata)) {
    for (const entry of entries) {
      if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') paths.set(entry.data, constructPath.replace(/^\//, ''));
    }
  }
  return paths;
}

/**
 * The construct path without the L1's `Resource` and the L2's own `StateMachine` child, so
 * `WordLengthExample/WordLength/StateMachine/Resource` is named after the workflow construct;
 * `<stack>/<logical id>` when the assembly has no path.
 */
function stateMachineId(stackName: string, logicalId: string, cdkPath: unknown): string {
  if (typeof cdkPath !== 'string') return `${stackName}/${logicalId}`;
  const parts = cdkPath.split('/');
  if (parts.at(-1) === 'Resource') parts.pop();
  if (parts.at(-1) === 'StateMachine' && parts.length > 2) parts.pop();
  return parts.join('/');
}
