import { Config } from '@backstage/config';
import { DEBUG_PROFILES, DebugProfile, isDebugProfile } from './profiles';

export interface ToolImage {
  name: string;
  image: string;
  description: string;
  default: boolean;
}

export interface DebugConfig {
  images: ToolImage[];
  /** Profiles offered on clusters without their own list. */
  profiles: DebugProfile[];
  /** Profiles offered on production clusters without their own list. */
  productionProfiles: DebugProfile[];
  /** Per-cluster lists, by cluster name. */
  clusterProfiles: Record<string, DebugProfile[]>;
  forkTtlSeconds: number;
  maxForksPerUser: number;
  forkSameNode: boolean;
  startTimeoutSeconds: number;
  fileMaxBytes: number;
  /** How often the reaper looks for expired pod copies. */
  reaperIntervalSeconds: number;
}

/**
 * Without `images` in config: a small public image any cluster can pull (the one `kubectl debug`'s
 * documentation uses), with sh, ps, top, wget, nc and tar. Platforms usually allow their own instead.
 */
const DEFAULT_IMAGES: ToolImage[] = [
  { name: 'busybox', image: 'docker.io/library/busybox:1.37', description: 'BusyBox: sh, ps, top, wget, nc, tar', default: true },
];

function profileList(config: Config | undefined, key: string, fallback: DebugProfile[]): DebugProfile[] {
  const list = config?.getOptionalStringArray(key);
  if (!list) return fallback;
  for (const p of list) {
    if (!isDebugProfile(p)) throw new Error(`kubeTroubleshoot.debug.${key}: "${p}" is not a profile; use ${DEBUG_PROFILES.join(', ')}`);
  }
  if (!list.length) throw new Error(`kubeTroubleshoot.debug.${key} must offer at least one profile`);
  return list as DebugProfile[];
}

function positive(config: Config | undefined, key: string, fallback: number): number {
  const v = config?.getOptionalNumber(key);
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`kubeTroubleshoot.debug.${key} must be a positive integer, got ${v}`);
  return v;
}

/** `kubeTroubleshoot.debug`, with defaults; bad values stop the backend at start, naming the key. */
export function readDebugConfig(root: Config): DebugConfig {
  const c = root.getOptionalConfig('kubeTroubleshoot.debug');
  const imageConfigs = c?.getOptionalConfigArray('images');
  const images = imageConfigs
    ? imageConfigs.map(i => ({ name: i.getString('name'), image: i.getString('image'), description: i.getOptionalString('description') ?? '', default: i.getOptionalBoolean('default') ?? false }))
    : DEFAULT_IMAGES;
  if (!images.length) throw new Error('kubeTroubleshoot.debug.images must list at least one tool image');
  const names = new Set<string>();
  for (const i of images) {
    if (names.has(i.name)) throw new Error(`kubeTroubleshoot.debug.images: the name "${i.name}" is used twice`);
    names.add(i.name);
  }
  if (images.filter(i => i.default).length > 1) throw new Error('kubeTroubleshoot.debug.images: only one image can be the default');
  if (!images.some(i => i.default)) images[0] = { ...images[0], default: true };
  const clusterProfiles: Record<string, DebugProfile[]> = {};
  const clusters = c?.getOptionalConfig('clusters');
  for (const name of clusters?.keys() ?? []) clusterProfiles[name] = profileList(clusters!.getConfig(name), 'profiles', []);
  return {
    images,
    profiles: profileList(c, 'profiles', ['general', 'baseline', 'restricted']),
    productionProfiles: profileList(c, 'productionProfiles', ['restricted']),
    clusterProfiles,
    forkTtlSeconds: positive(c, 'forkTtlSeconds', 3600),
    maxForksPerUser: positive(c, 'maxForksPerUser', 3),
    forkSameNode: c?.getOptionalBoolean('forkSameNode') ?? true,
    startTimeoutSeconds: positive(c, 'startTimeoutSeconds', 60),
    fileMaxBytes: positive(c, 'fileMaxBytes', 100 * 1024 * 1024),
    reaperIntervalSeconds: positive(c, 'reaperIntervalSeconds', 60),
  };
}

/** The profiles offered on a cluster: its own list, else the production or general default. */
export function offeredProfiles(config: DebugConfig, cluster: string, production: boolean): DebugProfile[] {
  return config.clusterProfiles[cluster] ?? (production ? config.productionProfiles : config.profiles);
}

/** The allowed image and profile for a request, or the reason (naming what is allowed). */
export function chooseDebugTarget(
  config: DebugConfig,
  request: { image?: string; profile?: string },
  cluster: { name: string; production: boolean },
): { ok: true; image: ToolImage; profile: DebugProfile } | { ok: false; message: string } {
  const image = request.image ? config.images.find(i => i.name === request.image || i.image === request.image) : config.images.find(i => i.default);
  if (!image) return { ok: false, message: `the image "${request.image}" is not allowed; use one of: ${config.images.map(i => i.name).join(', ')}` };
  const offered = offeredProfiles(config, cluster.name, cluster.production);
  const profile = request.profile ?? offered[0];
  if (!isDebugProfile(profile) || !offered.includes(profile)) {
    return { ok: false, message: `the profile "${profile}" is not offered on cluster ${cluster.name}; use one of: ${offered.join(', ')}` };
  }
  return { ok: true, image, profile };
}
