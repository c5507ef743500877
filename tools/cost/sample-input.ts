/**
 * Where the items of a sample job are in its input: the `ItemsPath` of the definition's first inline Map when the input
 * has an array there, else the input's `items`, else its only array; undefined when none of these is an array.
 */
export function itemsPathOf(definition: { States?: Record<string, any> }, input: unknown): string | undefined {
  const mapPaths = Object.values(definition.States ?? {})
    .filter((s) => s?.Type === 'Map' && typeof s.ItemsPath === 'string' && /^\$(\.[A-Za-z_][\w]*)+$/.test(s.ItemsPath))
    .map((s) => s.ItemsPath as string);
  const candidates = [...mapPaths, '$.items'];
  const found = candidates.find((p) => Array.isArray(valueAt(input, p)));
  if (found) return found;
  const arrays = input !== null && typeof input === 'object' ? Object.entries(input).filter(([, v]) => Array.isArray(v)) : [];
  return arrays.length === 1 ? `$.${arrays[0][0]}` : undefined;
}

/** The value at a simple path `$.a.b` of `input`. */
export function valueAt(input: unknown, path: string): unknown {
  return path.split('.').slice(1).reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), input);
}

/** `input` with the array at `path` made `size` items long: cut, or filled by repeating its items in order. */
export function resizedInput(input: unknown, path: string, size: number): unknown {
  const items = valueAt(input, path);
  if (!Array.isArray(items) || items.length === 0) throw new Error(`the input has no items at ${path} to make a sample of`);
  const resized = Array.from({ length: size }, (_, i) => items[i % items.length]);
  const copy = structuredClone(input) as Record<string, unknown>;
  const keys = path.split('.').slice(1);
  let holder: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) holder = holder[key] as Record<string, unknown>;
  holder[keys.at(-1)!] = resized;
  return copy;
}
