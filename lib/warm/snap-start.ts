import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { PropValidator } from '../core/validation';

/** Properties for a {@link SnapStartAlias}. */
export interface SnapStartAliasProps {
  /**
   * The function to start from snapshots. It must run a runtime with SnapStart (Java 11+, Python 3.12+, .NET 8+)
   * and be defined with `snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS`.
   */
  readonly function: lambda.Function;
  /** Name of the alias callers must invoke; only published versions start from the snapshot. @default 'live' */
  readonly aliasName?: string;
}

/**
 * An alias on a published version of a SnapStart function. Lambda initializes
 * the function once when the version is published and starts new execution
 * environments of that version from the snapshot, which cuts the init time of
 * a cold start rather than keeping instances; `$LATEST` never uses it, so
 * callers must invoke the alias.
 *
 * The function itself must turn SnapStart on (`snapStart` cannot be added to a
 * `lambda.Function` after it is built without an escape hatch); this construct
 * checks it at synth, with the runtime and the settings SnapStart rejects.
 */
export class SnapStartAlias extends Construct {
  /** The alias to invoke. */
  readonly alias: lambda.Alias;
  /** The published version the snapshot is taken of. */
  readonly version: lambda.IVersion;

  constructor(scope: Construct, id: string, props: SnapStartAliasProps) {
    super(scope, id);
    validateSnapStartAliasProps(this, props);

    this.version = props.function.currentVersion;
    this.alias = new lambda.Alias(this, 'Alias', {
      aliasName: props.aliasName ?? 'live',
      version: this.version,
      description: `SnapStart alias of ${this.node.path}`,
    });
    Annotations.of(props.function).acknowledgeWarning('@aws-cdk/aws-lambda:snapStartRequirePublish',
      `${this.node.path} publishes the current version and invokes it through an alias`);

    // Provisioned concurrency can be added to the function after this construct, so it is looked for at synth.
    const fn = props.function;
    this.node.addValidation({
      validate: () => provisionedConcurrencyOf(fn).map((where) => `SnapStartAlias '${this.node.path}': ${where} sets provisioned concurrency on ${fn.node.path}, `
        + 'and Lambda does not support provisioned concurrency on SnapStart functions; remove it, or use ProvisionedConcurrency on a function without SnapStart'),
    });
  }
}

/** Lambda keeps SnapStart off functions with more `/tmp` than this, in MiB. */
const SNAPSTART_MAX_EPHEMERAL_MIB = 512;

function validateSnapStartAliasProps(alias: IConstruct, props: SnapStartAliasProps): void {
  const v = new PropValidator('SnapStartAlias', alias);
  const fn = props.function;
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const runtime = fn.runtime === lambda.Runtime.FROM_IMAGE ? 'a container image' : `runtime ${fn.runtime.name}`;
  const runtimeOk = fn.runtime.supportsSnapStart && cfn.packageType !== 'Image';
  v.check(runtimeOk, `function ${fn.node.path} uses ${runtime}, which SnapStart does not support; `
    + 'SnapStart needs a managed Java 11+, Python 3.12+ or .NET 8+ runtime (use ProvisionedConcurrency for others)');
  if (runtimeOk && !Token.isUnresolved(cfn.snapStart)) {
    const applyOn = (cfn.snapStart as lambda.CfnFunction.SnapStartProperty | undefined)?.applyOn;
    v.check(applyOn === 'PublishedVersions', `function ${fn.node.path} does not have SnapStart on (got ${applyOn ?? 'no snapStart'}); `
      + 'define it with snapStart: lambda.SnapStartConf.ON_PUBLISHED_VERSIONS');
  }
  const ephemeral = cfn.ephemeralStorage;
  if (ephemeral && !Token.isUnresolved(ephemeral)) {
    const size = (ephemeral as lambda.CfnFunction.EphemeralStorageProperty).size;
    v.check(Token.isUnresolved(size) || size <= SNAPSTART_MAX_EPHEMERAL_MIB,
      `function ${fn.node.path} has ${size} MiB of ephemeral storage; SnapStart supports at most ${SNAPSTART_MAX_EPHEMERAL_MIB} MiB`);
  }
  const fileSystems = cfn.fileSystemConfigs;
  v.check(fileSystems === undefined || (Array.isArray(fileSystems) && fileSystems.length === 0),
    `function ${fn.node.path} mounts an EFS file system; SnapStart does not support Amazon EFS`);
  v.aliasName('aliasName', props.aliasName);
  v.throwIfAny();
}

/** Paths of the aliases, versions and scalable targets in the function's stack that give it provisioned concurrency. */
function provisionedConcurrencyOf(fn: lambda.Function): string[] {
  const stack = Stack.of(fn);
  const sameStack = stack.node.findAll().filter((c: IConstruct) => Stack.of(c) === stack);
  const functionRef = JSON.stringify(stack.resolve(fn.functionName));
  const ofFunction = (resource: lambda.CfnAlias | lambda.CfnVersion) => JSON.stringify(stack.resolve(resource.functionName)) === functionRef;

  const aliases = sameStack.filter((c): c is lambda.CfnAlias => lambda.CfnAlias.isCfnAlias(c) && ofFunction(c));
  const configured = [
    ...aliases.filter((a) => a.provisionedConcurrencyConfig !== undefined),
    ...sameStack.filter((c): c is lambda.CfnVersion => lambda.CfnVersion.isCfnVersion(c) && ofFunction(c) && c.provisionedConcurrencyConfig !== undefined),
  ];
  // Auto scaling names the alias through its ARN, so a target of this function's provisioned concurrency refers to one of its aliases.
  const aliasRefs = aliases.map((a) => JSON.stringify({ Ref: stack.getLogicalId(a) }));
  const scaled = sameStack.filter((c): c is appscaling.CfnScalableTarget => appscaling.CfnScalableTarget.isCfnScalableTarget(c)
    && c.scalableDimension === 'lambda:function:ProvisionedConcurrency'
    && aliasRefs.some((ref) => JSON.stringify(stack.resolve(c.resourceId)).includes(ref)));
  return [...configured, ...scaled].map((c) => c.node.path);
}
