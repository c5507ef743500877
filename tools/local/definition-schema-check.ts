import { createRequire } from 'node:module';

/**
 * asl-validator, which the interpreter runs on each definition it is given, builds an Ajv and compiles its fifteen JSON
 * schemas on every call: 200-500 ms a state machine, paid again by every local run and by every test that runs a
 * definition (the JSONata states suite took 10.7 s with it, 4.2 s without). Once compiled, a check takes under a
 * millisecond. asl-validator has
 * no option to keep them, so its schema check (`checks/json-schema-errors.js`), in the copy the interpreter loads, is
 * replaced by the same check with one Ajv per set of options, kept for the process: the same schemas, formats and
 * choice of errors to report, read from asl-validator's own files (Apache-2.0). Its other checks are untouched.
 */
export function compileDefinitionSchemasOnce(interpreterRequire: NodeRequire): void {
  try {
    const validatorFile = interpreterRequire.resolve('asl-validator');
    const schemaErrorsFile = createRequire(validatorFile).resolve('./checks/json-schema-errors');
    const schemaErrors = createRequire(schemaErrorsFile)(schemaErrorsFile);
    if (schemaErrors.jsonSchemaErrors.compiledOnce) return;
    schemaErrors.jsonSchemaErrors = Object.assign(schemaCheck(createRequire(schemaErrorsFile)), { compiledOnce: true });
  } catch {
    // An asl-validator laid out otherwise than 3.x and 4.0 keeps its own check: slower, never wrong.
  }
}

/** asl-validator's `jsonSchemaErrors`, its modules loaded with `load` (a require from its file), with its Ajvs kept. */
function schemaCheck(load: NodeRequire) {
  const esm = (exported: any) => exported?.default ?? exported;
  const Ajv = esm(load('ajv'));
  const addFormats = esm(load('ajv-formats'));
  const jsonata = esm(load('jsonata'));
  const { registerAll } = load('asl-path-validator');
  const { isArnFormatValid } = load('./formats');
  const { StateMachineErrorCode } = load('../types');
  if (typeof Ajv !== 'function' || typeof registerAll !== 'function' || !StateMachineErrorCode?.SchemaValidationFailed) {
    throw new Error('asl-validator\'s schema check is not laid out as in 3.x and 4.0');
  }
  const schemas = [
    'common', 'paths', 'jsonata', 'choice', 'fail', 'parallel', 'pass', 'base-state-machine', 'state-machine', 'state',
    'succeed', 'task', 'wait', 'map', 'errors',
  ].map((name) => load(`../schemas/${name}.json`));

  const validateJsonataString = (value: string) => {
    let expression = value.trim();
    expression = expression.startsWith('{%') ? expression.slice(2) : expression;
    expression = expression.endsWith('%}') ? expression.slice(0, -2) : expression;
    try {
      jsonata(expression);
      return true;
    } catch {
      return false;
    }
  };
  const anything = () => true;
  const ajvs = new Map<string, any>();
  const ajvFor = (options: { checkPaths?: boolean; checkArn?: boolean }) => {
    const key = `${Boolean(options.checkPaths)} ${Boolean(options.checkArn)}`;
    let ajv = ajvs.get(key);
    if (ajv) return ajv;
    ajv = new Ajv({ schemas, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addFormat('jsonata_string', validateJsonataString);
    ajv.addFormat('maybe_jsonata_string', (value: string) => {
      const trimmed = value.trim();
      return trimmed.startsWith('{%') || trimmed.endsWith('%}') ? validateJsonataString(trimmed) : true;
    });
    if (options.checkPaths) registerAll(ajv);
    else for (const format of ['asl_path', 'asl_ref_path', 'asl_payload_template', 'asl_result_path']) ajv.addFormat(format, anything);
    ajv.addFormat('asl_arn', options.checkArn ? isArnFormatValid : anything);
    ajvs.set(key, ajv);
    return ajv;
  };

  return (definition: unknown, options: { checkPaths?: boolean; checkArn?: boolean }) => {
    const ajv = ajvFor(options);
    ajv.validate('http://asl-validator.cloud/state-machine.json#', definition);
    if (!ajv.errors) return [];
    // As asl-validator reports them: the errors at the deepest instance path; at a path where a oneOf failed, only that;
    // each schema path and instance path once.
    let selected: any[] = [];
    let deepest = 0;
    for (const error of ajv.errors) {
      const depth = error.instancePath.split('/').length;
      if (depth === deepest) selected.push(error);
      else if (depth > deepest) selected = [error];
      deepest = Math.max(deepest, depth);
    }
    const oneOfPaths = new Set(selected.filter((error) => error.keyword === 'oneOf').map((error) => error.instancePath));
    return selected
      .filter((error) => error.keyword === 'oneOf' || !oneOfPaths.has(error.instancePath))
      .map((error) => ({
        'Error code': StateMachineErrorCode.SchemaValidationFailed,
        'Message': `${error.instancePath} is invalid. ${error.message ?? ''}`,
        'schemaError': { instancePath: error.instancePath, schemaPath: decodeURIComponent(error.schemaPath) },
      }))
      .filter((error, at, all) => all.findIndex((other) =>
        other.schemaError.schemaPath === error.schemaError.schemaPath && other.schemaError.instancePath === error.schemaError.instancePath) === at);
  };
}
