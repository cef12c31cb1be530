// src/manifest: from manifest text to validated, defaulted Kubernetes objects.
// Pure core: no I/O, no clock. The CLI and the git source read files and pass text in.
// Invariants: findings are Diagnostic values (never thrown) with file:line:column and a
// field path; a document with an error yields no object; Secret values never appear in
// any message; the typed objects carry exactly the defaults the Kubernetes API server
// would apply. Pipeline: parseManifests (yaml with positions) -> validateDocument (kind,
// JSON Schema via ajv, defaulting, semantic checks: semantic.ts dispatches to one
// checks/<kind>.ts per kind) -> bundle-wide checks (duplicates, references, node ports).
// Also here, because the plan, the reconcile pass and the shell share them: a pod spec's
// ConfigMap/Secret references (config-refs.ts) and durations as config writes them
// (duration.ts).

export {
  type BundleFile,
  type BundleOptions,
  createValidator,
  type ValidationResult,
  type Validator,
  validateBundle,
  validateManifests,
} from './bundle.js';
export { isBase64 } from './checks/config-data.js';
export { NODE_PORT_RANGE } from './checks/service.js';
export { contentHash } from './content-hash.js';
export { base64Utf8, defaultPullPolicy, imageTag } from './defaults.js';
export {
  intOrPercentValue,
  isValidPercent,
  resolveFenceposts,
  scaledValueFromIntOrPercent,
} from './int-or-percent.js';
export {
  LabelSelectorError,
  labelSelectorMatches,
  labelSelectorRequirements,
  labelsMatchSet,
  type Requirement,
  serviceSelectorMatches,
} from './label-selector.js';
export {
  MAX_ALIAS_COUNT,
  MAX_DEPTH,
  MAX_FILE_CHARS,
  type ParsedDocument,
  type ParseResult,
  type PathSegment,
  parseManifests,
} from './parse.js';
export { parseQuantity, Quantity, QuantityError, type QuantityFormat, tryParseQuantity } from './quantity.js';
export { type FieldSupport, fieldSupport, SUPPORTED_KINDS } from './schemas.js';
export { renderPath } from './validate-document.js';
