/** Every state of a state machine's definition with its name, depth first through Map and Parallel states. */
export function* allStates(definition: any): Generator<[string, any]> {
  for (const [name, state] of Object.entries<any>(definition.States ?? {})) {
    yield [name, state];
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) yield* allStates(processor);
    for (const branch of state.Branches ?? []) yield* allStates(branch);
  }
}

/** Whether a Map state runs in distributed mode: its processor's `ProcessorConfig.Mode`. */
export function isDistributedMap(state: any): boolean {
  return state?.Type === 'Map' && (state.ItemProcessor ?? state.Iterator)?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}
