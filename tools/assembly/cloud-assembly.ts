import * as fs from 'node:fs';
import * as path from 'node:path';

/** A CloudFormation template as the CDK writes it. */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  /** The stack's outputs: one with an `Export` is what another stack's `Fn::ImportValue` of its name reads. */
  readonly Outputs?: Record<string, CfnOutput>;
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Export?: { readonly Name: unknown };
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
}

/** One stack of a synthesized cloud assembly. */
export interface AssemblyStack {
  /** Artifact id (the stack's id in the app). */
  readonly name: string;
  readonly template: CfnTemplate;
  /** The assembly directory; asset paths in the template's metadata are relative to it. */
  readonly assemblyDir: string;
  /**
   * The stacks whose exports this one imports, whose resources and exports its template holds too (see
   * `withImportedStacks`). @default - none: the template is the stack's own
   */
  readonly importedStacks?: readonly AssemblyStack[];
}

/** Reads the stacks of the cloud assembly in `assemblyDir` (`cdk.out`) from its manifest. */
export function readCloudAssembly(assemblyDir: string): AssemblyStack[] {
  const manifestPath = path.join(assemblyDir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new Error(`no cloud assembly at ${assemblyDir}: ${manifestPath} is missing (synthesize the app first)`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  return Object.entries<any>(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([name, artifact]) => ({
      name,
      assemblyDir,
      template: JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties.templateFile), 'utf8')),
    }));
}

/** The stack named `name`, or the only stack when no name is given. */
export function selectStack(stacks: AssemblyStack[], name?: string): AssemblyStack {
  const names = stacks.map((s) => s.name).join(', ') || 'none';
  if (name === undefined) {
    if (stacks.length !== 1) throw new Error(`the assembly has ${stacks.length} stacks (${names}); name one`);
    return stacks[0];
  }
  const stack = stacks.find((s) => s.name === name);
  if (!stack) throw new Error(`no stack '${name}' in the assembly (stacks: ${names})`);
  return stack;
}

/**
 * A resource's construct path, `<stack>/.../<construct>` without the L1's `Resource` child: from its
 * `aws:cdk:path` metadata, which the template carries when the CDK CLI (or sdp) synthesizes, else from
 * the `aws:cdk:logicalId` entries of the stack's metadata in the manifest, which every synth writes;
 * `<stack>/<logical id>` when neither names it.
 */
export function constructPath(stack: AssemblyStack, logicalId: string): string {
  const imported = stack.importedStacks?.find((s) => logicalId in s.template.Resources);
  if (imported) return constructPath(imported, logicalId);
  const cdkPath = stack.template.Resources[logicalId]?.Metadata?.['aws:cdk:path'] ?? manifestPaths(stack).get(logicalId);
  return typeof cdkPath === 'string' ? cdkPath.replace(/\/Resource$/, '') : `${stack.name}/${logicalId}`;
}

const manifestPathsByStack = new WeakMap<AssemblyStack, Map<string, string>>();

/** The construct path of each logical id of a stack, from the manifest's metadata (or the file it points to). */
function manifestPaths(stack: AssemblyStack): Map<string, string> {
  let paths = manifestPathsByStack.get(stack);
  if (paths) return paths;
  const artifact = manifestArtifacts(stack.assemblyDir)[stack.name];
  const metadata: Record<string, Array<{ type: string; data: unknown }>> = {
    ...artifact.metadata,
    ...artifact.additionalMetadataFile && JSON.parse(fs.readFileSync(path.join(stack.assemblyDir, artifact.additionalMetadataFile), 'utf8')),
  };
  paths = new Map();
  for (const [cdkPath, entries] of Object.entries(metadata)) {
    for (const entry of entries) {
      if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') paths.set(entry.data, cdkPath.replace(/^\//, ''));
    }
  }
  manifestPathsByStack.set(stack, paths);
  return paths;
}

function manifestArtifacts(assemblyDir: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8')).artifacts ?? {};
}

/** A file asset of a stack: its source in the assembly and the S3 location it is published to. */
export interface FileAsset {
  /** The absolute path of the asset's file in the assembly. */
  readonly file: string;
  /** The bucket, with the CDK's `${AWS::AccountId}`-style placeholders as the asset manifest has them. */
  readonly bucketName: string;
  readonly objectKey: string;
}

/**
 * The file assets of a stack and of the stacks imported with it, from their asset manifests (`<stack>.assets.json`,
 * which the default and CLI-credentials synthesizers write): where each file is published, so that a template's S3
 * location of one can be read from the assembly.
 */
export function fileAssets(stack: AssemblyStack): FileAsset[] {
  const artifacts = manifestArtifacts(stack.assemblyDir);
  const own = (artifacts[stack.name]?.dependencies ?? [] as string[])
    .map((id: string) => artifacts[id])
    .filter((artifact: any) => artifact?.type === 'cdk:asset-manifest')
    .flatMap((artifact: any) => {
      const manifest = JSON.parse(fs.readFileSync(path.join(stack.assemblyDir, artifact.properties.file), 'utf8'));
      return Object.values<any>(manifest.files ?? {})
        .filter((asset) => asset.source?.packaging !== 'zip' && asset.source?.path !== undefined)
        .flatMap((asset) => Object.values<any>(asset.destinations ?? {}).map((destination) => ({
          file: path.resolve(stack.assemblyDir, asset.source.path),
          bucketName: String(destination.bucketName),
          objectKey: String(destination.objectKey),
        })));
    });
  return [...own, ...(stack.importedStacks ?? []).flatMap(fileAssets)];
}

/**
 * The directory of a function's code asset in the assembly, or undefined for inline or imported code.
 * The CDK CLI records it in the resource's metadata; an in-process synth does not, but names it
 * `asset.<hash>` after the S3 key all the same.
 */
export function functionCodeDir(stack: AssemblyStack, logicalId: string): string | undefined {
  const resource = stack.template.Resources[logicalId];
  const s3Key = resource.Properties?.Code?.S3Key;
  const assetPath = resource.Metadata?.['aws:asset:path']
    ?? (typeof s3Key === 'string' && s3Key.endsWith('.zip') ? `asset.${s3Key.slice(0, -'.zip'.length)}` : undefined);
  const dir = assetPath === undefined ? undefined : path.resolve(stack.assemblyDir, assetPath);
  return dir !== undefined && fs.existsSync(dir) ? dir : undefined;
}

/** Logical ids of the template's resources of `type`. */
export function resourcesOfType(template: CfnTemplate, type: string): string[] {
  return Object.keys(template.Resources).filter((id) => template.Resources[id].Type === type);
}
