import Ajv, { ValidateFunction } from 'ajv';

/** Compiles a job's declared item schema (JSON Schema draft-07), reporting every error of an item. */
export function compileItemSchema(schemaJson: string): ValidateFunction {
  return new Ajv({ allErrors: true }).compile(JSON.parse(schemaJson));
}
