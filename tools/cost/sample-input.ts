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
  return withValueAt(input, path, Array.from({ length: size }, (_, i) => items[i % items.length]));
}

/** A copy of `input` with `value` at the simple path `$.a.b` (objects made on the way). */
export function withValueAt(input: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(input ?? {}) as Record<string, unknown>;
  const keys = path.split('.').slice(1);
  let holder: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    if (holder[key] === null || typeof holder[key] !== 'object') holder[key] = {};
    holder = holder[key] as Record<string, unknown>;
  }
  holder[keys.at(-1)!] = value;
  return copy;
}

/** A sample job's items as a file the pipeline reads from S3: its key, its body and how many items it holds. */
export interface ItemFile {
  readonly key: string;
  readonly body: string;
  readonly items: number;
}

/**
 * The items file at `key` with `text` as its body, made `size` items long when asked (repeating its items): a JSON
 * array, JSON Lines (`.jsonl`, or text that is not one JSON value) or CSV (`.csv`, its first row the header).
 */
export function itemFile(key: string, text: string, size?: number): ItemFile {
  const resize = <T>(items: T[]): T[] => (size === undefined ? items : Array.from({ length: size }, (_, i) => items[i % items.length]));
  if (key.endsWith('.csv')) {
    const [header, ...rows] = text.split(/\r?\n/).filter((line) => line.trim() !== '');
    const resized = resize(rows);
    return { key, body: [header, ...resized].join('\n') + '\n', items: resized.length };
  }
  let parsed: unknown;
  try {
    parsed = key.endsWith('.jsonl') ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed)) {
    const resized = resize(parsed);
    return { key, body: JSON.stringify(resized), items: resized.length };
  }
  const lines = resize(text.split(/\r?\n/).filter((line) => line.trim() !== ''));
  return { key, body: lines.join('\n') + '\n', items: lines.length };
}

/**
 * Where the first Distributed Map of a definition reads a file of items: the bucket (its local name) and the input path
 * of the key; `listing` when it lists the objects under a prefix instead (each object is an item, not a file's line).
 */
export function itemReaderOf(definition: { States?: Record<string, any> }): { bucket?: string; keyPath?: string; listing: boolean } | undefined {
  for (const state of Object.values(definition.States ?? {})) {
    const reader = state?.Type === 'Map' ? state.ItemReader : undefined;
    const parameters = reader?.Parameters;
    if (parameters) {
      const listing = String(reader.Resource).endsWith(':listObjectsV2');
      return { bucket: typeof parameters.Bucket === 'string' ? parameters.Bucket : undefined, keyPath: listing ? parameters['Prefix.$'] : parameters['Key.$'], listing };
    }
  }
  return undefined;
}
