/** Step Functions' quota on one variable's value, in bytes of its JSON text. */
export const MAX_VARIABLE_BYTES = 256 * 1024;
/** ... on the values one `Assign` field sets together. */
export const MAX_ASSIGN_BYTES = 256 * 1024;
/** ... on the variables an execution holds at once. */
export const MAX_EXECUTION_VARIABLES_BYTES = 10 * 1024 * 1024;

/** A variable name Step Functions takes: a letter or underscore, then letters, digits or underscores; not `states`. */
export const VARIABLE_NAME_SOURCE = '[\\p{L}_][\\p{L}\\p{N}_]*';
const VARIABLE_NAME = new RegExp(`^${VARIABLE_NAME_SOURCE}$`, 'u');

/** Whether `name` can be a workflow variable's name. */
export function isVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name) && name !== 'states' && name.length <= 80;
}

/**
 * An execution broke a rule of workflow variables (a size quota, a variable read before any state assigned it).
 * Like the interpreter's `States.Runtime`, neither `Retry` nor `Catch` matches it: the execution fails.
 */
export class VariableRuntimeError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
}

/**
 * The workflow variables one execution, Map iteration or Parallel branch sees. The top-level states share one
 * scope; an iteration or a branch gets a scope of its own that reads the outer ones but never writes them, so a
 * value it assigns is gone when it ends (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html,
 * "Variable scope"). A child execution of a Distributed Map starts with an empty scope of its own.
 */
export class VariableScope {
  private readonly values = new Map<string, unknown>();
  /** The size of each value of this scope, in bytes of its JSON text. */
  private readonly sizes = new Map<string, number>();
  private bytes = 0;

  constructor(private readonly parent?: VariableScope) {}

  /** A scope for a Map iteration or a Parallel branch of this one. */
  child(): VariableScope {
    return new VariableScope(this);
  }

  /** Whether a variable of that name is visible here. */
  has(name: string): boolean {
    return this.values.has(name) || (this.parent?.has(name) ?? false);
  }

  /** The value of a visible variable; undefined when there is none. */
  get(name: string): unknown {
    return this.values.has(name) ? this.values.get(name) : this.parent?.get(name);
  }

  /** Every visible variable by name, an inner one over an outer one of the same name. */
  visible(): Record<string, unknown> {
    return { ...this.parent?.visible(), ...Object.fromEntries(this.values) };
  }

  /**
   * Sets the values one `Assign` field evaluated (after the state ran, so that every expression of the state read
   * the values from before it), checking Step Functions' quotas first: nothing is set when one is broken.
   */
  assign(values: Record<string, unknown>, stateName: string): void {
    let together = 0;
    const sizes = new Map<string, number>();
    for (const [name, value] of Object.entries(values)) {
      const size = Buffer.byteLength(JSON.stringify(value ?? null));
      if (size > MAX_VARIABLE_BYTES) throw new VariableRuntimeError(`State '${stateName}' assigns variable '${name}' ${size} bytes, over the ${MAX_VARIABLE_BYTES}-byte quota of a variable`);
      together += size;
      sizes.set(name, size);
    }
    if (together > MAX_ASSIGN_BYTES) throw new VariableRuntimeError(`State '${stateName}' assigns ${together} bytes of variables at once, over the ${MAX_ASSIGN_BYTES}-byte quota of an Assign field`);
    let held = this.heldBytes();
    for (const [name, size] of sizes) held += size - (this.sizes.get(name) ?? 0);
    if (held > MAX_EXECUTION_VARIABLES_BYTES) throw new VariableRuntimeError(`State '${stateName}' would make the execution hold ${held} bytes of variables, over the ${MAX_EXECUTION_VARIABLES_BYTES}-byte quota`);
    for (const [name, value] of Object.entries(values)) {
      this.bytes += sizes.get(name)! - (this.sizes.get(name) ?? 0);
      this.values.set(name, value);
      this.sizes.set(name, sizes.get(name)!);
    }
  }

  /** The bytes held by this scope and the ones it reads. */
  private heldBytes(): number {
    return this.bytes + (this.parent?.heldBytes() ?? 0);
  }
}
