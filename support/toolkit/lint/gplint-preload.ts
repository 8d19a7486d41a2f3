/**
 * Preloaded into gplint's process, after tsx. gplint registers ts-node to load TypeScript rules
 * unless ts-node's marker is set, and ts-node cannot load this package's ES-module .ts files;
 * setting the marker leaves the loading to tsx, which can.
 */
const TS_NODE_MARKER = Symbol.for('ts-node.register.instance');
(process as unknown as Record<symbol, unknown>)[TS_NODE_MARKER] ??= { loader: 'tsx' };
