import { createRequire } from 'node:module';
import { compileDefinitionSchemasOnce } from '../../tools/local/definition-schema-check';

// asl-validator (this repository's, the newest) through Node's own module cache rather than jest's per-file registry,
// with its schemas compiled once per worker as the local run does (tools/local/definition-schema-check.ts): each call
// compiled them again, 0.2-0.5 s a definition checked.
const nodeRequire = createRequire(__filename);
compileDefinitionSchemasOnce(nodeRequire);

/** asl-validator's verdict on a definition, with its errors as text. */
export const aslValidator: (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string } = nodeRequire('asl-validator');
