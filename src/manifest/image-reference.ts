// Image references by the distribution reference grammar that Docker and the kubelet parse
// with (github.com/distribution/reference, regexp.go and normalize.go): a lowercase
// repository path under an optional registry host[:port], a tag of at most 128 word
// characters, a digest whose algorithm and hex length are known. A reference that fails
// here would fail at pull time as InvalidImageName, and its text would reach Docker's URL
// paths; so it is refused at validation. Messages use the grammar's own wording. Pure.

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`;
const domain = `${host}(?::[0-9]+)?`;
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);
const TAG_LIKE = /^[\w][\w.-]*$/;

/** Repository names longer than this are refused (NameTotalLengthMax). */
export const MAX_NAME_LENGTH = 255;
/** Hex lengths of the digest algorithms go-digest knows. */
const DIGEST_HEX: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

function digestProblem(d: string): string | undefined {
  const i = d.indexOf(':');
  const algorithm = d.slice(0, i);
  const hex = d.slice(i + 1);
  const want = DIGEST_HEX[algorithm];
  if (want === undefined) return `unsupported digest algorithm "${algorithm}"`;
  if (hex.length !== want) return 'invalid checksum digest length';
  if (!/^[a-f0-9]+$/.test(hex)) return 'invalid checksum digest format';
  return undefined;
}

/** Why `image` is not a valid reference, in the grammar's words; undefined when it is. */
export function imageReferenceProblem(image: string): string | undefined {
  if (image === '') return 'repository name must have at least one component';
  const m = REFERENCE.exec(image);
  if (!m) {
    if (REFERENCE.test(image.toLowerCase())) return 'repository name must be lowercase';
    const at = image.indexOf('@');
    const beforeDigest = at >= 0 ? image.slice(0, at) : image;
    const colon = beforeDigest.lastIndexOf(':');
    const t = colon >= 0 ? beforeDigest.slice(colon + 1) : '';
    if (t.length > 128 && !t.includes('/') && TAG_LIKE.test(t)) return 'tag must be at most 128 characters';
    if (at >= 0) return 'invalid digest format';
    return 'invalid reference format';
  }
  const [, repo = '', , dig] = m;
  if (repo.length > MAX_NAME_LENGTH)
    return `repository name must not be more than ${MAX_NAME_LENGTH} characters`;
  if (/^[a-f0-9]{64}$/.test(repo)) return 'cannot specify 64-byte hexadecimal strings as a repository name';
  if (dig !== undefined) return digestProblem(dig);
  return undefined;
}
