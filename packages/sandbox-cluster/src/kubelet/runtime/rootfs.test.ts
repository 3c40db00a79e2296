import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findExecutable, hostPathOf, mountScript, planRoot, prepareRoot, resolveInRoot } from './rootfs';

/** A fake host: merged /usr (bin -> usr/bin), a shell, a program behind an absolute link into /etc. */
function fakeHost() {
  const host = fs.mkdtempSync(path.join(os.tmpdir(), 'kt-rootfs-'));
  for (const d of ['usr/bin', 'usr/lib', 'etc/alternatives']) fs.mkdirSync(path.join(host, d), { recursive: true });
  fs.symlinkSync('usr/bin', path.join(host, 'bin'));
  fs.symlinkSync('usr/lib', path.join(host, 'lib'));
  fs.writeFileSync(path.join(host, 'usr/bin/sh'), '#!', { mode: 0o755 });
  fs.writeFileSync(path.join(host, 'usr/bin/notes.txt'), 'x', { mode: 0o644 });
  fs.writeFileSync(path.join(host, 'usr/bin/mawk'), '#!', { mode: 0o755 });
  fs.symlinkSync('/usr/bin/mawk', path.join(host, 'etc/alternatives/awk'));
  fs.symlinkSync('/etc/alternatives/awk', path.join(host, 'usr/bin/awk'));
  return host;
}

describe('container roots', () => {
  let host: string;
  beforeEach(() => (host = fakeHost()));
  afterEach(() => fs.rmSync(host, { recursive: true, force: true }));

  it('an os image: /usr read-only from the host, its links kept, the host /etc under a layer', () => {
    const plan = planRoot({ kind: 'os' }, host);
    expect(plan.binds).toEqual([{ source: path.join(host, '/usr'), target: '/usr', readOnly: true }]);
    expect(plan.links).toEqual(expect.arrayContaining([{ link: '/bin', to: 'usr/bin' }, { link: '/lib', to: 'usr/lib' }]));
    expect(plan.etc).toBe('host');
  });

  it('a distroless image: libraries and its own files, no /usr/bin', () => {
    const plan = planRoot({ kind: 'distroless', files: [{ source: '/x/server', target: '/app/server' }], passwd: 'root:x:0:0::/root:/x\n', group: 'root:x:0:\n' }, host);
    expect(plan.binds.map(b => b.target)).toEqual(['/usr/lib', '/app/server']);
    expect(plan.links).toEqual([{ link: '/lib', to: 'usr/lib' }]);
    expect(plan.etc).toMatchObject({ passwd: 'root:x:0:0::/root:/x\n' });
  });

  it('maps container paths to host paths, longest bind first', () => {
    const plan = { dirs: [], links: [], etc: 'host' as const, binds: [{ source: '/h/usr', target: '/usr', readOnly: true }, { source: '/h/lib', target: '/usr/lib', readOnly: true }] };
    expect(hostPathOf(plan, '/r', '/usr/bin/sh')).toBe('/h/usr/bin/sh');
    expect(hostPathOf(plan, '/r', '/usr/lib/libc.so')).toBe('/h/lib/libc.so');
    expect(hostPathOf(plan, '/r', '/usrx/a')).toBe('/r/usrx/a');
    expect(hostPathOf(plan, '/r', '/tmp/../etc/passwd')).toBe('/r/etc/passwd');
  });

  it('finds commands as execvp would inside the root, through relative and absolute links', () => {
    const plan = planRoot({ kind: 'os' }, host);
    const root = path.join(host, 'root');
    // /etc of an os image is the host's: links into /etc resolve through the host's copy here.
    plan.binds.push({ source: path.join(host, 'etc'), target: '/etc', readOnly: true });
    const PATH = '/usr/local/bin:/bin';
    expect(findExecutable(plan, root, 'sh', PATH)).toBe('/bin/sh');
    expect(findExecutable(plan, root, 'awk', PATH)).toBe('/bin/awk');
    expect(resolveInRoot(plan, root, '/bin/awk')).toBe(path.join(host, 'usr/bin/mawk'));
    expect(findExecutable(plan, root, 'notes.txt', PATH)).toBeUndefined(); // not executable
    expect(findExecutable(plan, root, 'bash', PATH)).toBeUndefined();
    expect(findExecutable(plan, root, '/usr/bin/sh', '')).toBe('/usr/bin/sh');
  });

  it('prepares mount points, links and a private /etc on the host side', () => {
    const root = path.join(host, 'root');
    const plan = planRoot({ kind: 'distroless', files: [{ source: path.join(host, 'usr/bin/sh'), target: '/app/server' }], passwd: 'p', group: 'g' }, host);
    prepareRoot(plan, root);
    expect(fs.readlinkSync(path.join(root, 'lib'))).toBe('usr/lib');
    expect(fs.statSync(path.join(root, 'app/server')).isFile()).toBe(true); // a file bind needs a file to mount on
    expect(fs.statSync(path.join(root, 'usr/lib')).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8')).toBe('p');
    expect(fs.statSync(path.join(root, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(fs.existsSync(path.join(root, 'bin'))).toBe(false);
  });

  it('the mount script mounts, then enters the root as the user; with a tty, as a session leader', () => {
    const plan = planRoot({ kind: 'os' }, host);
    const script = mountScript(plan, "/data/it's/root", { workingDir: '/srv', uid: 1000, gid: 3000, tty: false });
    expect(script).toContain(`mount -o bind,ro '${host}/usr' '/data/it'\\''s/root/usr'`);
    expect(script).toContain(`mount -t overlay overlay -o 'lowerdir=/etc,upperdir=/data/it'\\''s/root.etc/upper,workdir=/data/it'\\''s/root.etc/work' '/data/it'\\''s/root/etc'`);
    expect(script).toContain("mount -t proc -o nosuid,nodev,noexec proc '/data/it'\\''s/root/proc'");
    expect(script.split('\n').pop()).toBe(`exec nsenter --root='/data/it'\\''s/root' --wd='/data/it'\\''s/root/srv' -S 1000 -G 3000 -- "$@"`);
    const root = mountScript(plan, '/r', { workingDir: '/', uid: 0, gid: 0, tty: true });
    expect(root.split('\n').pop()).toBe(`exec setsid -c nsenter --root='/r' --wd='/r/' -- "$@"`);
    expect(script).toContain("mkdir -p '/data/it'\\''s/root/srv'");
  });

  it("an image's layer over /usr removes and adds files, read-only", () => {
    const adduser = path.join(host, 'adduser.sh');
    fs.writeFileSync(adduser, '#!/bin/sh', { mode: 0o755 });
    const plan = planRoot({ kind: 'os', usr: { remove: ['bin/sh'], add: [{ source: adduser, target: 'sbin/adduser' }] } }, host);
    const root = path.join(host, 'root');
    expect(findExecutable(plan, root, 'sh', '/usr/bin:/bin')).toBeUndefined();
    expect(resolveInRoot(plan, root, '/usr/sbin/adduser')).toBe(adduser);
    expect(findExecutable(plan, root, 'mawk', '/bin')).toBe('/bin/mawk'); // the rest of the host's /usr stays
    const script = mountScript(plan, '/r', { workingDir: '/', uid: 0, gid: 0, tty: false });
    expect(script).toContain(`mount -t overlay overlay -o 'lowerdir=/r.usr:${host}/usr' '/r/usr'`);
    expect(script).not.toContain(`mount -o bind,ro '${host}/usr'`);
  });

  it('prepares the /usr layer with overlayfs whiteouts (as root: mknod)', () => {
    if (process.getuid?.() !== 0) return; // whiteouts are character devices: only root makes them
    const adduser = path.join(host, 'adduser.sh');
    fs.writeFileSync(adduser, '#!/bin/sh', { mode: 0o755 });
    const plan = planRoot({ kind: 'os', usr: { remove: ['bin/sh'], add: [{ source: adduser, target: 'sbin/adduser' }] } }, host);
    const root = path.join(host, 'root');
    prepareRoot(plan, root);
    const whiteout = fs.statSync(`${root}.usr/bin/sh`);
    expect(whiteout.isCharacterDevice() && whiteout.rdev === 0).toBe(true);
    expect(fs.readFileSync(`${root}.usr/sbin/adduser`, 'utf8')).toBe('#!/bin/sh');
  });
});
