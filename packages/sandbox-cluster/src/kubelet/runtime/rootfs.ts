import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { RootSpec, UsrChanges } from '../images';

/** A host path mounted into the container's root (inside the container's own mount namespace). */
export interface Bind {
  source: string;
  /** Path inside the container. */
  target: string;
  readOnly: boolean;
}

/** How to build one container's root directory: made on the host, mounted inside the namespace. */
export interface RootPlan {
  dirs: string[];
  /** Symbolic links inside the root: `link` (container path) -> `to` (link text). */
  links: Array<{ link: string; to: string }>;
  binds: Bind[];
  /** `host`: a private, writable copy of the host's /etc; otherwise these files. */
  etc: 'host' | Record<string, string>;
  /** The image's changes to the host's /usr: a read-only layer over it. */
  usr?: UsrChanges;
}

const COMMON_DIRS = ['/proc', '/dev', '/tmp', '/var/tmp', '/run', '/home', '/root', '/etc'];
/** Top-level folders that merged-/usr systems link into /usr and older ones keep as folders. */
const USR_LINKED = ['/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32'];

/** The root of an image, from what the host has (`hostRoot` is only replaced by tests). */
export function planRoot(spec: RootSpec, hostRoot = '/'): RootPlan {
  const host = (p: string) => path.join(hostRoot, p);
  const plan: RootPlan = { dirs: [...COMMON_DIRS], links: [], binds: [], etc: 'host' };
  const usrLinked = (keep: (dir: string) => boolean) => {
    for (const dir of USR_LINKED.filter(keep)) {
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(host(dir));
      } catch {
        continue;
      }
      if (stat.isSymbolicLink()) plan.links.push({ link: dir, to: fs.readlinkSync(host(dir)) });
      else plan.binds.push({ source: host(dir), target: dir, readOnly: true });
    }
  };
  if (spec.kind === 'os') {
    plan.binds.push({ source: host('/usr'), target: '/usr', readOnly: true });
    if (spec.usr) plan.usr = spec.usr;
    usrLinked(() => true);
    return plan;
  }
  // distroless: the C runtime's libraries and the image's own files, and nothing to run but them.
  for (const lib of ['/usr/lib', '/usr/lib64']) {
    if (fs.existsSync(host(lib))) plan.binds.push({ source: host(lib), target: lib, readOnly: true });
  }
  usrLinked(dir => dir.startsWith('/lib'));
  for (const f of spec.files) plan.binds.push({ source: f.source, target: f.target, readOnly: true });
  plan.etc = { passwd: spec.passwd, group: spec.group, hostname: '', nsswitch: 'passwd: files\ngroup: files\nhosts: files dns\n' };
  return plan;
}

/** The host path behind a container path, without following links: a bind's source, else the root folder. */
export function hostPathOf(plan: RootPlan, rootDir: string, containerPath: string): string {
  const p = path.posix.normalize(containerPath);
  const bind = plan.binds
    .filter(b => p === b.target || p.startsWith(`${b.target}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
  if (bind) return path.join(bind.source, p.slice(bind.target.length));
  return path.join(rootDir, p);
}

/** Follows a container path through the container's links to the host file it names. */
export function resolveInRoot(plan: RootPlan, rootDir: string, containerPath: string, depth = 0): string | undefined {
  if (depth > 40) return undefined; // ELOOP
  const normal = path.posix.normalize(containerPath);
  if (plan.usr && normal.startsWith('/usr/')) {
    // The image's layer over /usr comes first.
    const rel = normal.slice('/usr/'.length);
    if (plan.usr.remove.includes(rel)) return undefined;
    const added = plan.usr.add.find(a => a.target === rel);
    if (added) return added.source;
  }
  const parts = path.posix.normalize(containerPath).split('/').filter(Boolean);
  let current = '/';
  for (let i = 0; i < parts.length; i++) {
    const next = path.posix.join(current, parts[i]);
    const onHost = hostPathOf(plan, rootDir, next);
    const link = plan.links.find(l => l.link === next)?.to ?? readLinkIfAny(onHost);
    if (link === null) return undefined;
    if (link !== undefined) {
      const base = link.startsWith('/') ? link : path.posix.join(current, link);
      return resolveInRoot(plan, rootDir, path.posix.join(base, ...parts.slice(i + 1)), depth + 1);
    }
    current = next;
  }
  return hostPathOf(plan, rootDir, current);
}

/** undefined: not a link; null: does not exist. */
function readLinkIfAny(file: string): string | undefined | null {
  try {
    const stat = fs.lstatSync(file);
    return stat.isSymbolicLink() ? fs.readlinkSync(file) : undefined;
  } catch {
    return null;
  }
}

/** Finds a command the way execvp does inside the container: a path as is, a name through PATH. */
export function findExecutable(plan: RootPlan, rootDir: string, command: string, pathEnv: string): string | undefined {
  const candidates = command.includes('/') ? [command] : pathEnv.split(':').filter(Boolean).map(d => path.posix.join(d, command));
  for (const candidate of candidates) {
    const file = resolveInRoot(plan, rootDir, candidate);
    if (!file) continue;
    try {
      const stat = fs.statSync(file);
      if (stat.isFile() && stat.mode & 0o111) return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** Where the writable layer of a host-based /etc lives: beside the root, so it is not visible inside. */
export const etcLayers = (rootDir: string) => `${rootDir}.etc`;
/** Where an image's read-only layer over /usr lives. */
export const usrLayer = (rootDir: string) => `${rootDir}.usr`;

/** Makes the root folder on the host: mount points, links and the private /etc. */
export function prepareRoot(plan: RootPlan, rootDir: string) {
  fs.mkdirSync(rootDir, { recursive: true });
  for (const dir of plan.dirs) fs.mkdirSync(path.join(rootDir, dir), { recursive: true });
  fs.chmodSync(path.join(rootDir, 'tmp'), 0o1777);
  fs.chmodSync(path.join(rootDir, 'var/tmp'), 0o1777);
  for (const { link, to } of plan.links) fs.symlinkSync(to, path.join(rootDir, link));
  for (const bind of plan.binds) {
    const target = path.join(rootDir, bind.target);
    if (fs.statSync(bind.source).isDirectory()) fs.mkdirSync(target, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, '');
    }
  }
  if (plan.usr) {
    const layer = usrLayer(rootDir);
    for (const add of plan.usr.add) {
      fs.mkdirSync(path.dirname(path.join(layer, add.target)), { recursive: true });
      fs.copyFileSync(add.source, path.join(layer, add.target));
      fs.chmodSync(path.join(layer, add.target), fs.statSync(add.source).mode & 0o7777);
    }
    // Overlayfs whiteouts (0/0 character devices) hide the host's files; node cannot mknod.
    for (const rel of plan.usr.remove) {
      fs.mkdirSync(path.dirname(path.join(layer, rel)), { recursive: true });
      execFileSync('mknod', [path.join(layer, rel), 'c', '0', '0']);
    }
  }
  if (plan.etc === 'host') {
    for (const dir of ['upper', 'work']) fs.mkdirSync(path.join(etcLayers(rootDir), dir), { recursive: true });
  } else {
    for (const [name, text] of Object.entries(plan.etc)) fs.writeFileSync(path.join(rootDir, 'etc', name), text);
  }
}


export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface MountScriptOptions {
  workingDir: string;
  uid: number;
  gid: number;
  /** Make the command the leader of a new session with the terminal as its controlling tty. */
  tty: boolean;
}

/**
 * The script that runs first inside the container's new mount namespace (host binaries, host
 * root): it mounts the root's file systems, then enters the root as the container's user and execs
 * the command ("$@"). Mounts live only in that namespace and vanish with its last process.
 */
export function mountScript(plan: RootPlan, rootDir: string, opts: MountScriptOptions): string {
  const r = (p: string) => shellQuote(path.join(rootDir, p));
  const lines = ['set -e'];
  for (const bind of plan.binds) {
    if (bind.target === '/usr' && plan.usr) {
      // The image's layer over the host's /usr; with lower layers only, overlayfs is read-only.
      const options = `lowerdir=${usrLayer(rootDir)}:${bind.source}`;
      lines.push(`mount -t overlay overlay -o ${shellQuote(options)} ${r('/usr')}`);
      continue;
    }
    lines.push(`mount -o ${bind.readOnly ? 'bind,ro' : 'bind'} ${shellQuote(bind.source)} ${r(bind.target)}`);
  }
  if (plan.etc === 'host') {
    // The host's /etc under a writable layer: useradd, passwd or su inside never change the host.
    // Without overlayfs, a copy (slower on some disks).
    const layers = etcLayers(rootDir);
    const options = `lowerdir=/etc,upperdir=${layers}/upper,workdir=${layers}/work`;
    lines.push(`mount -t overlay overlay -o ${shellQuote(options)} ${r('/etc')} || cp -a /etc/. ${r('/etc')}`);
  }
  lines.push(`mount -t proc -o nosuid,nodev,noexec proc ${r('/proc')}`);
  lines.push(`mount -t tmpfs -o nosuid,mode=755,size=65536k tmpfs ${r('/dev')}`);
  for (const dev of ['null', 'zero', 'full', 'random', 'urandom', 'tty']) {
    lines.push(`: > ${r(`/dev/${dev}`)}`, `mount --bind /dev/${dev} ${r(`/dev/${dev}`)}`);
  }
  lines.push(`mkdir ${r('/dev/pts')} ${r('/dev/shm')}`);
  // The host's terminals, so a tty opened by the runtime outside is reachable by name inside.
  lines.push(`mount --bind /dev/pts ${r('/dev/pts')}`, `ln -s pts/ptmx ${r('/dev/ptmx')}`);
  lines.push(`mount -t tmpfs -o nosuid,nodev,mode=1777 shm ${r('/dev/shm')}`);
  lines.push(`ln -s /proc/self/fd ${r('/dev/fd')}`);
  for (const [i, name] of ['stdin', 'stdout', 'stderr'].entries()) lines.push(`ln -s /proc/self/fd/${i} ${r(`/dev/${name}`)}`);
  // As runc does, a working directory the image lacks is created.
  lines.push(`mkdir -p ${r(opts.workingDir)}`);
  const user = opts.uid === 0 && opts.gid === 0 ? '' : ` -S ${opts.uid} -G ${opts.gid}`;
  const enter = `nsenter --root=${shellQuote(rootDir)} --wd=${r(opts.workingDir)}${user} -- "$@"`;
  lines.push(opts.tty ? `exec setsid -c ${enter}` : `exec ${enter}`);
  return lines.join('\n');
}
