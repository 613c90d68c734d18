/**
 * A CommonJS package's exports, imported when first needed (`await import(...)`): Node names them
 * on the module's namespace, while in the compiled build (esbuild's chunks, bin/build.js) they sit
 * under its `default`. Either way, the exports.
 */
export function commonJsExports<T extends object>(namespace: T): T {
  const named = Object.keys(namespace).some((key) => key !== 'default' && key !== '__esModule');
  return named ? namespace : (namespace as { default: T }).default;
}
