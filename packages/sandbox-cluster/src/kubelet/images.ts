/**
 * The images the sandbox can "pull". An image decides the default command and its size; any
 * other reference fails to pull the way containerd reports a missing tag.
 */
export interface ImageInfo {
  /** ENTRYPOINT + CMD used when the container sets no command. */
  entrypoint: string[];
  sizeBytes: number;
  description: string;
}

export const IMAGES: Record<string, ImageInfo> = {
  'sandbox.local/toolbox:1': {
    entrypoint: ['sleep', 'infinity'],
    sizeBytes: 7_823_411,
    description: 'a normal image: a POSIX shell and coreutils',
  },
  'sandbox.local/distroless:1': {
    entrypoint: ['sleep', 'infinity'],
    sizeBytes: 2_104_877,
    description: 'a distroless-like image: only its own binary, no shell',
  },
  'sandbox.local/debug-tools:1': {
    entrypoint: ['sh'],
    sizeBytes: 31_550_092,
    description: 'tools for debugging (ps, top, curl-like utilities)',
  },
};

/** Normalises `docker.io/library/x` style references to how the catalogue names them. */
export function resolveImage(ref: string): ImageInfo | undefined {
  return IMAGES[ref] ?? IMAGES[`${ref}:latest`];
}

export function pullError(ref: string): string {
  const withTag = ref.includes(':') ? ref : `${ref}:latest`;
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${withTag}": failed to resolve reference "${withTag}": ${withTag}: not found`;
}
