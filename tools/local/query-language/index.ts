// JSONata states and workflow variables in the local run: what aws-local-stepfunctions 3.0 lacks, added to it by tools/local/interpreter.ts.
export { isJsonataExpression, QueryEvaluationError } from './jsonata-expressions';
export { MAX_ASSIGN_BYTES, MAX_EXECUTION_VARIABLES_BYTES, MAX_VARIABLE_BYTES, VariableRuntimeError, VariableScope } from './workflow-variables';
