/** Why an image could not be pulled, read from the runtime's error text (containerd, CRI-O, Docker). */
export type PullFailure = 'not-found' | 'unauthorized' | 'unreachable' | 'invalid-name' | 'never-pull' | 'unknown';

export interface ImageRef {
  registry: string;
  repository: string;
  /** The tag, or the digest (`sha256:...`). */
  tag: string;
}

/** Splits a reference as the runtime resolves it: no registry host means Docker Hub, no tag `latest`. */
export function parseImageRef(image: string): ImageRef {
  let rest = image;
  let tag = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    tag = rest.slice(at + 1);
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  const first = rest.split('/')[0];
  const hasRegistry = rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) return { registry: 'docker.io', repository: rest.includes('/') ? rest : `library/${rest}`, tag };
  return { registry: first, repository: rest.slice(first.length + 1), tag };
}

const PATTERNS: Array<[PullFailure, RegExp]> = [
  ['unauthorized', /\b(401|403)\b|unauthorized|authentication required|pull access denied|access to the resource is denied|insufficient_scope|forbidden/i],
  ['unreachable', /no such host|i\/o timeout|connection refused|network is unreachable|TLS handshake timeout|x509:|certificate|context deadline exceeded|dial tcp|server misbehaving/i],
  ['not-found', /not found|manifest unknown|name unknown|repository does not exist|does not exist|NotFound/i],
];

/** Classifies a pull failure from the waiting reason and the runtime's message. */
export function classifyPullFailure(reason: string, message: string): PullFailure {
  if (reason === 'InvalidImageName') return 'invalid-name';
  if (reason === 'ErrImageNeverPull') return 'never-pull';
  return PATTERNS.find(([, re]) => re.test(message))?.[0] ?? 'unknown';
}

/** The verdict's cause and the next step for one pull failure. */
export function pullAdvice(failure: PullFailure, image: string): { cause: string; nextStep: string } {
  const ref = parseImageRef(image);
  switch (failure) {
    case 'not-found':
      return {
        cause: `the tag ${ref.tag} of ${ref.repository} does not exist in ${ref.registry}`,
        nextStep: `Check the tag and repository name (a typo, or a tag not pushed yet): list the tags of ${ref.repository} in ${ref.registry}, then fix the image in the workload.`,
      };
    case 'unauthorized':
      return {
        cause: `${ref.registry} refused to serve ${ref.repository} without valid credentials`,
        nextStep: `Give the pod credentials for ${ref.registry}: an imagePullSecret on the pod or its service account, with a login that may pull ${ref.repository}.`,
      };
    case 'unreachable':
      return {
        cause: `the node could not reach the registry ${ref.registry}`,
        nextStep: `Check that ${ref.registry} is the right host and is reachable from the node (DNS, proxy, firewall, its TLS certificate).`,
      };
    case 'invalid-name':
      return { cause: `${image} is not a valid image reference`, nextStep: 'Fix the image field: registry/repository:tag, lower case, no spaces.' };
    case 'never-pull':
      return {
        cause: `imagePullPolicy is Never and ${image} is not on the node`,
        nextStep: 'Load the image onto the node, or set imagePullPolicy to IfNotPresent.',
      };
    default:
      return { cause: `the runtime could not pull ${image}`, nextStep: 'Read the runtime error below; check the image name, the registry and the pull credentials.' };
  }
}
