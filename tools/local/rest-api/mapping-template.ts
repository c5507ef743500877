import { Compile, parse } from 'velocityjs';

/**
 * Renders API Gateway REST API mapping templates (VTL) with velocityjs, with the API Gateway variables
 * implemented as API Gateway documents them (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html):
 * `$input.body`, `$input.json(path)`, `$input.path(path)`, `$input.params()` / `$input.params(name)`,
 * `$util.escapeJavaScript`, `$util.parseJson`, `$util.urlEncode`, `$util.urlDecode`, `$util.base64Encode`,
 * `$util.base64Decode`, `$context.*` (including `responseOverride.status` and `.header`), `$stageVariables`,
 * and the Java string methods templates call (`replaceAll` takes a regex there, not a string).
 * JSONPath is the subset templates use: `$`, `.name`, `['name']`, `[index]`; another path throws, naming it.
 */

/** The method request (for request templates) or the integration response (for response templates). */
export interface MappingTemplateInput {
  /** Raw body text: the method request's, or Step Functions' answer. @default '' */
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly path?: Record<string, string>;
  readonly querystring?: Record<string, string>;
  /** `$context` variables, e.g. `{ requestId: 'r-1' }`. */
  readonly context?: Record<string, unknown>;
  /** `$stageVariables`. */
  readonly stageVariables?: Record<string, string>;
}

export interface RenderedTemplate {
  /** The rendered text. */
  readonly text: string;
  /** `$context.responseOverride.status` as the template left it. */
  readonly statusOverride?: number;
  /** `$context.responseOverride.header.<name>` as the template left them. */
  readonly headerOverrides: Record<string, string>;
  /** The rendered text parsed as JSON (throws when it is not JSON, which is a template bug). */
  json(): any;
}

/** Apache Commons Lang 2 `StringEscapeUtils.escapeJavaScript`, which `$util.escapeJavaScript` is. */
export function escapeJavaScript(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i); // UTF-16 code units, as Java chars are
    const hex = code.toString(16).toUpperCase();
    if (code > 0xfff) out += `\\u${hex}`;
    else if (code > 0xff) out += `\\u0${hex}`;
    else if (code > 0x7f) out += `\\u00${hex}`;
    else if (code < 32) {
      const named: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
      out += named[code] ?? (code > 0xf ? `\\u00${hex}` : `\\u000${hex}`);
    } else {
      const ch = value[i];
      out += ch === "'" ? "\\'" : ch === '"' ? '\\"' : ch === '\\' ? '\\\\' : ch === '/' ? '\\/' : ch;
    }
  }
  return out;
}

/** Evaluates the JSONPath subset; undefined when the path leads nowhere. */
export function jsonPath(document: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`JSONPath must start with $ (got ${path})`);
  const steps = path.slice(1).match(/\.[^.[]+|\['[^']*'\]|\[\d+\]/g) ?? [];
  if (steps.join('') !== path.slice(1)) throw new Error(`unsupported JSONPath ${path}`);
  let value: any = document;
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    const key = step.startsWith('.') ? step.slice(1) : step.startsWith("['") ? step.slice(2, -2) : Number(step.slice(1, -1));
    value = value[key];
  }
  return value ?? undefined;
}

/** Java String methods that differ from, or are missing in, JavaScript's. */
const JAVA_STRING_METHODS: Record<string, (s: string, ...args: any[]) => unknown> = {
  replaceAll: (s, regex: string, replacement: string) => s.replace(new RegExp(regex, 'g'), replacement),
  replaceFirst: (s, regex: string, replacement: string) => s.replace(new RegExp(regex), replacement),
  matches: (s, regex: string) => new RegExp(`^(?:${regex})$`).test(s),
  contains: (s, part: string) => s.includes(String(part)),
  equals: (s, other: unknown) => s === other,
  isEmpty: (s: string) => s.length === 0,
  length: (s: string) => s.length,
  toString: (s: string) => s,
};

export function renderMappingTemplate(template: string, input: MappingTemplateInput = {}): RenderedTemplate {
  const body = input.body ?? '';
  const parsedBody = () => (body.trim() === '' ? {} : JSON.parse(body));
  const headers = input.headers ?? {};
  const params = { path: { ...input.path }, querystring: { ...input.querystring }, header: { ...headers } };
  const header = (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  const context: Record<string, any> = { ...input.context, responseOverride: { header: {} }, requestOverride: { header: {}, path: {}, querystring: {} } };

  const renderContext = {
    input: {
      body,
      json: (path: string) => {
        const value = jsonPath(parsedBody(), path);
        return value === undefined ? undefined : JSON.stringify(value);
      },
      path: (path: string) => jsonPath(parsedBody(), path),
      // Searched in path, query string, then headers (names case-insensitive); '' when absent.
      params: (name?: string) => (name === undefined ? params : params.path[name] ?? params.querystring[name] ?? header(name) ?? ''),
    },
    util: {
      escapeJavaScript: (value: unknown) => escapeJavaScript(String(value ?? '')),
      parseJson: (value: string) => JSON.parse(value),
      // application/x-www-form-urlencoded, as Java's URLEncoder (which API Gateway uses) writes and reads it.
      urlEncode: (value: unknown) => new URLSearchParams({ v: String(value ?? '') }).toString().slice('v='.length),
      urlDecode: (value: unknown) => new URLSearchParams(`v=${String(value ?? '')}`).get('v'),
      base64Encode: (value: unknown) => Buffer.from(String(value ?? ''), 'utf8').toString('base64'),
      base64Decode: (value: unknown) => Buffer.from(String(value ?? ''), 'base64').toString('utf8'),
    },
    context,
    stageVariables: { ...input.stageVariables },
  };
  const compile = new Compile(parse(template), {
    escape: false,
    env: 'development', // unknown methods throw instead of rendering silently
    customMethodHandlers: [{
      uid: 'java.lang.String',
      match: ({ property, context: target }) => typeof target === 'string' && property in JAVA_STRING_METHODS,
      resolve: ({ property, context: target, params: args }) => JAVA_STRING_METHODS[property](target, ...args),
    }],
  });
  const text = compile.render(renderContext);
  const status = context.responseOverride.status;
  return {
    text,
    statusOverride: status === undefined ? undefined : Number(status),
    headerOverrides: Object.fromEntries(Object.entries<unknown>(context.responseOverride.header).map(([name, value]) => [name, String(value)])),
    json: () => JSON.parse(text),
  };
}
