const NAME_MAX_LENGTH = 80;
// What StartExecution rejects in a name: white space, brackets, wildcards, the listed special
// characters, control characters, U+FFFE/U+FFFF and lone surrogates.
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f\ufffe\uffff\ud800-\udfff]/u;

/** Why `name` is not a valid execution name, or undefined when it is one; `what` names where it came from. */
export function executionNameProblem(name: string, what = '--name'): string | undefined {
  const length = [...name].length;
  if (length < 1 || length > NAME_MAX_LENGTH) return `${what} must be 1..${NAME_MAX_LENGTH} characters (got ${length})`;
  const forbidden = NAME_FORBIDDEN.exec(name);
  if (forbidden) {
    return `${what} must not contain white space, brackets, wildcards, control characters or any of " # % \\ ^ | ~ \` $ & , ; : / `
      + `(got '${name}', which has ${JSON.stringify(forbidden[0])})`;
  }
  return undefined;
}
