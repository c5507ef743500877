// JSONata in the library's definitions: expressions as Step Functions reads them, and the JSONPath reference paths the
// props take (itemsPath, resultPath) translated, so a prop means the same in either query language.
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/** `expression` as a JSONata field value of a definition: `{% expression %}`. */
export function jsonata(expression: string): string {
  return `{% ${expression} %}`;
}

/** Whether the definition is written in JSONata. */
export function isJsonata(queryLanguage: sfn.QueryLanguage | undefined): boolean {
  return queryLanguage === sfn.QueryLanguage.JSONATA;
}

const REFERENCE_PATH_STEP = /\.([A-Za-z_][A-Za-z0-9_-]*)|\['([^'\]]+)'\]|\[(\d+)\]/g;

/**
 * The JSONata expression selecting, from `root`, what the JSONPath reference path `path` selects from `$`:
 * `$.data` → `$states.input.data`, `$['a b'][0]` → ``$states.input.`a b`[0]``. A name JSONata would read
 * as an operator (`a-b`) is quoted with backticks.
 */
export function referencePathExpression(path: string, root = '$states.input'): string {
  let expression = root;
  for (const [, dotted, bracketed, index] of path.slice(1).matchAll(REFERENCE_PATH_STEP)) {
    const name = dotted ?? bracketed;
    if (name === undefined) expression += `[${index}]`;
    else expression += /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `.\`${name}\``;
  }
  return expression;
}
