import path from 'node:path';

/**
 * The images the sandbox can "pull". An image decides the container's root filesystem, its default
 * command and its size; any other reference fails to pull the way containerd reports a missing tag.
 */
export interface ImageInfo {
  /** ENTRYPOINT + CMD used when the container sets no command. */
  entrypoint: string[];
  sizeBytes: number;
  description: string;
  root: RootSpec;
}

/**
 * What the image's root holds. `os`: the host's /usr read-only (shell, coreutils, tools) with a
 * private copy of /etc. `distroless`: only shared libraries and the image's own files, no shell.
 */
export type RootSpec =
  | { kind: 'os'; usr?: UsrChanges }
  | { kind: 'distroless'; files: Array<{ source: string; target: string }>; passwd: string; group: string };

/** Changes to the host's /usr in an image: paths (relative to /usr) removed, files added or replaced. */
export interface UsrChanges {
  remove: string[];
  add: Array<{ source: string; target: string }>;
}

// The sandbox always runs from its sources, so its package folder holds the images' files.
const imagesDir = path.join(path.dirname(require.resolve('@internal/sandbox-cluster/package.json')), 'images');
const distrolessDir = path.join(imagesDir, 'distroless');

export const IMAGES: Record<string, ImageInfo> = {
  'sandbox.local/toolbox:1': {
    entrypoint: ['sleep', 'infinity'],
    sizeBytes: 7_823_411,
    description: 'a normal image: a POSIX shell and coreutils',
    root: { kind: 'os' },
  },
  'sandbox.local/distroless:1': {
    entrypoint: ['/app/node', '/app/server.js'],
    sizeBytes: 2_104_877,
    description: 'a distroless-like image: only its own program, no shell',
    root: {
      kind: 'distroless',
      // The program is a Node.js script; the runtime binary is the one running the sandbox.
      files: [
        { source: process.execPath, target: '/app/node' },
        { source: path.join(distrolessDir, 'server.js'), target: '/app/server.js' },
      ],
      passwd: 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
      group: 'root:x:0:\nnonroot:x:65532:\n',
    },
  },
  'sandbox.local/busybox-like:1': {
    entrypoint: ['sleep', 'infinity'],
    sizeBytes: 4_261_198,
    description: 'a busybox-like image: sh but no bash, busybox-style adduser, no useradd, runuser or setpriv',
    root: {
      kind: 'os',
      usr: {
        remove: ['bin/bash', 'sbin/useradd', 'sbin/runuser', 'bin/setpriv'],
        add: [{ source: path.join(imagesDir, 'busybox-like', 'sbin', 'adduser'), target: 'sbin/adduser' }],
      },
    },
  },
  'sandbox.local/debug-tools:1': {
    entrypoint: ['sh'],
    sizeBytes: 31_550_092,
    description: 'tools for debugging (ps, top, curl-like utilities)',
    root: { kind: 'os' },
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
