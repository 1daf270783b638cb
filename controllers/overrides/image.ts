// imageOverrider (Karmada's imageoverride.go and pkg/util/imageparser): rewrites the registry, repository or tag of
// the images of a workload's containers, or of the one image at predicate.path.
import type { ImageOverrider } from '../../openapi/karmada/types.js';
import { applyPatch, formatPointer, getAt, type Obj, type PatchOperation } from './jsonpatch.js';

/** An image reference cut the way Karmada's imageparser cuts it. */
export interface ImageComponents {
  /** The registry, with its port if any ("registry.k8s.io", "localhost:5000"); "" for none. */
  hostname: string;
  /** The path below the registry ("karmada/karmada-controller-manager"). */
  repository: string;
  tag: string;
  digest: string;
}

// The reference grammar of github.com/distribution/reference (reference.Parse, no normalization).
const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const NAME = `(?:${HOST}(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_TAG = new RegExp(`^${TAG}$`);
const ANCHORED_DIGEST = new RegExp(`^${DIGEST}$`);
const NAME_MAX_LENGTH = 255;
/** The digest algorithms the distribution library registers, with their hex lengths. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** imageparser.Parse. Throws the reference library's error for what is not an image reference. */
export function parseImage(image: string): ImageComponents {
  const m = REFERENCE.exec(image);
  if (!m) {
    if (image === '') throw new Error('repository name must have at least one component');
    if (REFERENCE.test(image.toLowerCase())) throw new Error('repository name must be lowercase');
    throw new Error('invalid reference format');
  }
  const [, name, tag = '', digest = ''] = m;
  if (name.length > NAME_MAX_LENGTH) throw new Error(`repository name must not be more than ${NAME_MAX_LENGTH} characters`);
  if (digest) {
    const [algorithm, hex] = digest.split(':');
    const length = DIGEST_HEX_LENGTH[algorithm];
    if (length === undefined) throw new Error('unsupported digest algorithm');
    if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) throw new Error('invalid checksum digest format');
  }
  const [hostname, repository] = splitHostname(name);
  // Karmada keeps the tag of a reference that has both a tag and a digest, and drops the digest.
  return { hostname, repository, tag, digest: tag ? '' : digest };
}

/** imageparser.SplitHostname: the first path element is a registry when it has a "." or ":" or is localhost. */
function splitHostname(name: string): [string, string] {
  const i = name.indexOf('/');
  if (i < 0) return ['', name];
  const first = name.slice(0, i);
  return /[.:]/.test(first) || first === 'localhost' ? [first, name.slice(i + 1)] : ['', name];
}

/** Components.String. */
export function formatImage(c: ImageComponents): string {
  const full = c.hostname ? `${c.hostname}/${c.repository}` : c.repository;
  if (c.tag) return `${full}:${c.tag}`;
  return c.digest ? `${full}@${c.digest}` : full;
}

/** Components.SetTagOrDigest: a value that is neither a tag nor a digest leaves both as they are. */
function withTagOrDigest(c: ImageComponents, value: string): ImageComponents {
  if (ANCHORED_TAG.test(value)) return { ...c, tag: value, digest: '' };
  if (ANCHORED_DIGEST.test(value)) return { ...c, tag: '', digest: value };
  return c;
}

/** overrideImage: image with the overrider's component added to, removed or replaced. */
export function overrideImage(image: string, o: ImageOverrider): string {
  let c: ImageComponents;
  try {
    c = parseImage(image);
  } catch (err) {
    throw new Error(`failed to parse image value(${image}), error: ${(err as Error).message}`);
  }
  const value = o.value ?? '';
  switch (o.component) {
    case 'Registry':
      c = { ...c, hostname: o.operator === 'add' ? c.hostname + value : o.operator === 'replace' ? value : '' };
      break;
    case 'Repository':
      c = { ...c, repository: o.operator === 'add' ? c.repository + value : o.operator === 'replace' ? value : '' };
      break;
    case 'Tag':
      if (o.operator === 'remove') c = c.tag ? { ...c, tag: '' } : { ...c, digest: '' };
      else c = withTagOrDigest(c, o.operator === 'add' ? (c.tag || c.digest) + value : value);
      break;
    default:
      throw new Error(`unsupported image component(${String(o.component)})`);
  }
  return formatImage(c);
}

/** Where the pod spec is in the kinds whose containers an overrider without a predicate rewrites. */
export const POD_SPEC_PATH: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
};

/** The JSON pointers of the images an overrider without a predicate rewrites: containers, then init containers. */
function containerImagePaths(obj: Obj): string[] {
  const podSpecPath = POD_SPEC_PATH[obj.kind];
  if (!podSpecPath) return [];
  const podSpec = getAt(obj, formatPointer(podSpecPath)) as Obj | undefined;
  return ['containers', 'initContainers'].flatMap((list) =>
    ((podSpec?.[list] as unknown[] | undefined) ?? []).map((_, i) => formatPointer([...podSpecPath, list, i, 'image'])),
  );
}

/** obj with o applied: every container image of a workload kind, or the image at predicate.path of any kind. */
export function applyImageOverrider(obj: Obj, o: ImageOverrider): Obj {
  let paths: string[];
  if (o.predicate) {
    if (!o.predicate.path.startsWith('/')) throw new Error('imagePath should be start with / character');
    paths = [o.predicate.path];
  } else {
    paths = containerImagePaths(obj);
  }
  const ops = paths.map((path): PatchOperation => {
    const image = getAt(obj, path);
    if (o.predicate && typeof image !== 'string')
      throw new Error(`failed to obtain imageValue with predicate path(${path}), error: no string at that path`);
    // A container without an image reads as "" in Karmada's typed conversion, and "" is not an image: an error.
    return { op: 'replace', path, value: overrideImage(typeof image === 'string' ? image : '', o) };
  });
  return applyPatch(obj, ops);
}
