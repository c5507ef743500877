import { AssemblyStack, constructPath, readCloudAssembly, resourcesOfType } from '../assembly/cloud-assembly';
import { IntrinsicResolver } from '../assembly/intrinsics';
import { withImportedStacks } from '../assembly/stack-imports';
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
  const stacks = readCloudAssembly(assemblyDir);
  return stacks.flatMap((stack) => {
    let resolver: IntrinsicResolver | undefined;
    return resourcesOfType(stack.template, 'AWS::StepFunctions::StateMachine').map((logicalId) => {
      const id = stateMachineId(stack, logicalId);
      try {
        // Made for the stacks with state machines only: their imports resolve against the stacks they import from.
        resolver ??= IntrinsicResolver.of(withImportedStacks(stacks, stack));
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
 * The construct path without the L2's own `StateMachine` child, so
 * `WordLengthExample/WordLength/StateMachine` is named after the workflow construct.
 */
function stateMachineId(stack: AssemblyStack, logicalId: string): string {
  const parts = constructPath(stack, logicalId).split('/');
  if (parts.at(-1) === 'StateMachine' && parts.length > 2) parts.pop();
  return parts.join('/');
}
