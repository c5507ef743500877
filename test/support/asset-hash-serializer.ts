/**
 * Jest snapshot serializer: replaces asset hashes (64 hex digits, as in
 * `<hash>.zip` S3 keys) so snapshots change with the template, not with every
 * edit of a handler's code.
 */
module.exports = {
  test: (value: unknown) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value: string) => JSON.stringify(value.replace(/[0-9a-f]{64}/g, '[ASSET_HASH]')),
};
