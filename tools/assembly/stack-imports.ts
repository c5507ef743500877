import { AssemblyStack, CfnOutput, CfnResource } from './cloud-assembly';
import { IntrinsicResolver } from './intrinsics';

/**
 * The stack as the local run runs it: with the stacks whose exports it imports (`Fn::ImportValue`, which CDK's
 * cross-stack references synthesize), and the ones those import, merged into its template — their resources beside
 * its own and their exports among its outputs — so that a state machine of the stack can invoke a function or write a
 * table of another stack, and its imports resolve. The stack itself when it imports nothing.
 *
 * Throws, naming them, for an import no stack of the assembly exports, an export two stacks give, and a logical id two
 * of the merged stacks use: resources are named locally by logical id, so the engines could not hold both.
 */
export function withImportedStacks(stacks: readonly AssemblyStack[], stack: AssemblyStack): AssemblyStack {
  const imported: AssemblyStack[] = [];
  const visit = (importer: AssemblyStack) => {
    for (const name of importedNames(importer)) {
      const exporter = exportingStack(stacks, importer, name);
      if (exporter === stack || imported.includes(exporter)) continue;
      imported.push(exporter);
      visit(exporter);
    }
  };
  visit(stack);
  if (imported.length === 0) return stack;

  const resources: Record<string, CfnResource> = { ...stack.template.Resources };
  const owner = new Map(Object.keys(resources).map((id) => [id, stack.name]));
  // Keyed by stack and output id, which no output id of a template can be (it has no '/').
  const outputs: Record<string, CfnOutput> = { ...stack.template.Outputs };
  for (const other of imported) {
    for (const [id, resource] of Object.entries(other.template.Resources)) {
      // The CDK CLI's version reporting puts a `CDKMetadata` resource in every stack: nothing to run, and no clash.
      if (resource.Type === 'AWS::CDK::Metadata') continue;
      if (owner.has(id)) {
        throw new Error(`stacks ${owner.get(id)} and ${other.name} both have a resource '${id}': the local run names resources by `
          + `logical id, so it cannot run ${stack.name} with the stacks it imports from`);
      }
      owner.set(id, other.name);
      resources[id] = resource;
    }
    for (const [id, output] of Object.entries(other.template.Outputs ?? {})) {
      if (output.Export !== undefined) outputs[`${other.name}/${id}`] = output;
    }
  }
  return { ...stack, template: { ...stack.template, Resources: resources, Outputs: outputs }, importedStacks: imported };
}

/** The export names the stack's template imports. */
function importedNames(stack: AssemblyStack): Set<string> {
  const resolver = new IntrinsicResolver(stack.template);
  const names = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'Fn::ImportValue') names.add(String(resolver.resolve(child)));
        else walk(child);
      }
    }
  };
  walk([stack.template.Resources, stack.template.Outputs]);
  return names;
}

/** The one stack of the assembly that exports `name`. */
function exportingStack(stacks: readonly AssemblyStack[], importer: AssemblyStack, name: string): AssemblyStack {
  const exporters = stacks.filter((s) => s !== importer && Object.values(s.template.Outputs ?? {})
    .some((output) => output.Export !== undefined && new IntrinsicResolver(s.template).resolve(output.Export.Name) === name));
  if (exporters.length === 0) throw new Error(`stack ${importer.name} imports '${name}' (Fn::ImportValue), which no stack of the assembly exports`);
  if (exporters.length > 1) {
    throw new Error(`stack ${importer.name} imports '${name}', which stacks ${exporters.map((s) => s.name).join(' and ')} all export `
      + "(locally every stack's AWS::StackName is 'local')");
  }
  return exporters[0];
}
