import { Template } from 'aws-cdk-lib/assertions';
import { CfnTemplate } from '../../tools/assembly/cloud-assembly';
import { IntrinsicResolver } from '../../tools/assembly/intrinsics';

/** The one state machine's definition in `template`, with intrinsics resolved to the local run's names. */
export function stateMachineDefinition(template: Template): any {
  const json = template.toJSON();
  const machines = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  return new IntrinsicResolver(json as CfnTemplate).stateMachineDefinition(machines[0]);
}
