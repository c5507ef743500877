/**
 * Resolves the CloudFormation intrinsics CDK writes into a mapping template (`Fn::Join`, `Fn::Split`,
 * `Fn::Select`, `Ref`, `Fn::GetAtt`) to a string, with the given values for references.
 */
export function resolveIntrinsics(value: unknown, refs: Record<string, string>): any {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, refs));
  const [[fn, args]] = Object.entries(value as Record<string, any>);
  const lookup = (key: string) => {
    if (!(key in refs)) throw new Error(`no value given for ${key}`);
    return refs[key];
  };
  switch (fn) {
    case 'Ref': return lookup(args);
    case 'Fn::GetAtt': return lookup(args.join('.'));
    case 'Fn::Join': return (resolveIntrinsics(args[1], refs) as string[]).join(args[0]);
    case 'Fn::Split': return String(resolveIntrinsics(args[1], refs)).split(args[0]);
    case 'Fn::Select': return resolveIntrinsics(args[1], refs)[Number(args[0])];
    default: throw new Error(`unsupported intrinsic ${fn}`);
  }
}
