import { Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { IConstruct } from 'constructs';
import { nagArnReference } from '../core/nag-names';
import { ItemSource } from './item-source';
import { MapResultsLocation } from './map-results';

/** The parts of a distributed workflow whose grants cdk-nag reports. */
export interface DistributedMapGrantees {
  readonly stateMachine: sfn.StateMachine;
  readonly mapFunction: lambda.IFunction;
  readonly reduceFunction: lambda.IFunction;
}

/**
 * Acknowledges the wildcard findings (AwsSolutions-IAM5) of a distributed workflow's grants, each by the
 * exact resource it names, with why it cannot be narrower. A bucket imported by a name cdk-nag cannot
 * spell as a plain string is left to its user to acknowledge.
 */
export function acknowledgeDistributedMapFindings(grantees: DistributedMapGrantees, source: ItemSource, results: MapResultsLocation): void {
  const { stateMachine } = grantees;
  const machine = stateMachine.node.path;
  const acknowledgements: Array<{ id: string; reason: string }> = [];
  const itemsBucket = nagArnReference(source.bucket, source.bucket.bucketArn);
  const itemsId = itemsBucket !== undefined && source.wildcardKeys !== undefined
    ? `AwsSolutions-IAM5[Resource::${itemsBucket}/${source.wildcardKeys}]`
    : undefined;
  const scope = source.scopePrefix === undefined ? 'any key of the bucket' : `any key under '${source.scopePrefix}'`;
  if (itemsId && !source.grantsItemAccess) {
    acknowledgements.push({
      id: itemsId,
      reason: `s3:GetObject on the items (${source.description}) in ${source.bucket.node.path}: each execution names its items in its input, so ${scope} may be read${source.scopePrefix === undefined ? ' (set keyPrefix to narrow it)' : ''}.`,
    });
  }
  const resultsBucket = nagArnReference(results.bucket, results.bucket.bucketArn);
  const resultsId = resultsBucket && `AwsSolutions-IAM5[Resource::${resultsBucket}/${results.prefix}/*]`;
  if (resultsId) {
    acknowledgements.push({
      id: resultsId,
      reason: `s3:PutObject, GetObject, ListMultipartUploadParts and AbortMultipartUpload under '${results.prefix}/' of ${results.bucket.node.path}: the ResultWriter writes each map run's manifest and result files under the run's id, made at run time.`,
    });
  }
  // aws-cdk-lib's DistributedMap grants these on the state machine's own executions, as AWS documents for a Distributed Map.
  const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachineNameInFinding(stateMachine)}`;
  acknowledgements.push(
    {
      id: `AwsSolutions-IAM5[Resource::${executions}:*]`,
      reason: `states:DescribeExecution and StopExecution on the executions of ${machine} only: the Distributed Map watches and stops the child executions it starts, whose ids are made at run time.`,
    },
    {
      id: `AwsSolutions-IAM5[Resource::${executions}/*:*]`,
      reason: `states:RedriveExecution on the map runs of ${machine} only (execution:<name>/<map run>:<id>), so a failed map run can be redriven; their ids are made at run time.`,
    },
  );
  Validations.of(stateMachine).acknowledge(...acknowledgements);

  if (resultsId) {
    Validations.of(findingsScope(grantees.reduceFunction)).acknowledge({
      id: resultsId,
      reason: `s3:GetObject under '${results.prefix}/' of ${results.bucket.node.path}: the reduce reads the manifest and result files of the map run it is given, whose keys hold the run's id.`,
    });
  }
  if (itemsId && source.grantsItemAccess) {
    Validations.of(findingsScope(grantees.mapFunction)).acknowledge({
      id: itemsId,
      reason: `s3:GetObject on the objects listed as items in ${source.bucket.node.path}: each item names one object, known only at run time (${scope}).`,
    });
  }
}

/**
 * Where a function's grant findings are reported: its role's policy, which a function built by the library has beside
 * it (`<id>Role`), not under it.
 */
function findingsScope(fn: lambda.IFunction): IConstruct {
  return fn.role ?? fn;
}

/** How cdk-nag spells the state machine's name inside an ARN: the name part of its Ref. */
function stateMachineNameInFinding(stateMachine: sfn.StateMachine): string {
  const logicalId = Stack.of(stateMachine).getLogicalId(stateMachine.node.defaultChild as sfn.CfnStateMachine);
  return JSON.stringify({ 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: logicalId }] }] });
}
