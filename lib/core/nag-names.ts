import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * How a cdk-nag finding id names the ARN of `resource`: `<LogicalId.Arn>` for a resource
 * defined in this app, the ARN itself when it is a literal; undefined when it is built from
 * tokens (an imported resource), since an acknowledgement id must be a plain string — the
 * user of such a resource acknowledges its finding.
 */
export function nagArnReference(resource: IConstruct, arn: string): string | undefined {
  const cfn = resource.node.defaultChild;
  if (CfnResource.isCfnResource(cfn)) return `<${Stack.of(cfn).getLogicalId(cfn)}.Arn>`;
  return Token.isUnresolved(arn) ? undefined : arn;
}
