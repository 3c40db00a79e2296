import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { KubeApi } from '../clusters/KubeClient';
import { PodJson } from '../clusters/kubeTypes';
import {
  CreateForkResponse,
  CreateSessionRequest,
  DebugOptionsResponse,
  FileDownloadQuery,
  ForkListResponse,
  ForkSummary,
  StartDebugRequest,
  StartDebugResponse,
} from '@kube-troubleshoot/backstage-plugin-common';
import { RequestAudit } from '../http/RequestAudit';
import { StatusError } from '../http/errors';
import { SessionTarget, SessionTickets, SessionUser } from '../targets/sessionTarget';
import { TargetResolver } from '../targets/TargetResolver';
import { chooseDebugTarget, DebugConfig, offeredProfiles } from './debugConfig';
import { FILE_HELPER_SECONDS, reusableDebugContainer, runningDebugContainers, startDebugContainer } from './EphemeralDebugger';
import { AsUser, checkContainerPath, probePath, streamTar, TarSink } from './fileDownload';
import { normalUserWrapper, ProductionShell } from '../shell/shellCommand';
import { createFork, deleteFork, reapExpiredForks, summarizeFork } from './forks';

/** `104.9 MB` */
const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

const EPHEMERAL_NOTE = 'Ephemeral containers cannot be removed: this one stays in the pod spec (terminated) until the pod is replaced.';

/**
 * The Debug tab's actions, free of HTTP: tool containers in a pod's namespaces, pod copies of
 * crash-looping pods, and file downloads. Pods and containers are proven the entity's (or, for
 * copies, the caller's own) before any call; a debug session is a terminal session that attaches.
 */
export class DebugService {
  constructor(
    private readonly deps: {
      targets: TargetResolver;
      sessions: SessionTickets;
      config: DebugConfig;
      /** Production clusters read files as this user, as their shells run (kubeTroubleshoot.productionShell). */
      productionShell: ProductionShell;
      auditor: AuditorService;
      logger: LoggerService;
    },
  ) {
    // The copy made for a session goes when the session ends; the reaper catches the rest.
    deps.sessions.onSessionEnd((target, user) => this.sessionEnded(target, user));
  }

  options(): DebugOptionsResponse {
    const { config, targets } = this.deps;
    return {
      images: config.images.map(i => ({ name: i.name, image: i.image, description: i.description, default: i.default })),
      clusters: Object.fromEntries(targets.clusters().map(c => [c.name, { production: c.production, profiles: offeredProfiles(config, c.name, c.production) }])),
      forkTtlSeconds: config.forkTtlSeconds,
    };
  }

  /** The allowed image and profile on the pod's cluster, or a 400 naming what is allowed. */
  private choose(cluster: string, request: { image?: string; profile?: string }) {
    const choice = chooseDebugTarget(this.deps.config, request, { name: cluster, production: this.deps.targets.isProduction(cluster) });
    if (!choice.ok) throw new InputError(choice.message);
    return choice;
  }

  /**
   * A tool container in the target container's namespaces (an ephemeral container), then a ticket to
   * attach to it; a running one of the same user, target and image is attached to again.
   */
  async start(entity: Entity, userRef: string, request: StartDebugRequest, basePath: string, audit: RequestAudit): Promise<StartDebugResponse> {
    const { client, pod } = await this.deps.targets.findPod(entity, request);
    TargetResolver.checkContainer(pod, request.targetContainer);
    const choice = this.choose(client.name, request);
    audit.note({ image: choice.image.image, profile: choice.profile });
    if (this.deps.targets.isProduction(client.name)) audit.raise('high');
    let container = request.reuse === false ? undefined : reusableDebugContainer(pod, userRef, request.targetContainer, choice.image.image);
    const reused = Boolean(container);
    container ??= await startDebugContainer(client, pod, {
      target: request.targetContainer,
      image: choice.image.image,
      profile: choice.profile,
      userRef,
      timeoutMs: this.deps.config.startTimeoutSeconds * 1000,
    });
    audit.note({ debugContainer: container, reused });
    const target: SessionTarget = {
      kind: 'debug',
      entityRef: stringifyEntityRef(entity),
      cluster: client.name,
      namespace: pod.metadata.namespace ?? 'default',
      pod: pod.metadata.name,
      container,
      attach: true,
      fresh: !reused,
    };
    const ticket = await this.deps.sessions.issue(userRef, target, basePath);
    return { ...ticket, container, reused, image: choice.image.image, profile: choice.profile, note: EPHEMERAL_NOTE };
  }

  /**
   * A copy of a pod whose container's command is replaced by a sleep (for crash loops and images
   * without a shell), then a ticket to a shell in it; the copy goes when the session ends.
   */
  async createFork(entity: Entity, userRef: string, request: CreateSessionRequest, basePath: string, audit: RequestAudit): Promise<CreateForkResponse> {
    const { targets, config } = this.deps;
    const { client, pod } = await targets.findPod(entity, request);
    const original = pod.spec.containers.find(c => c.name === request.container);
    if (!original) throw new InputError(`container ${request.container} is not valid for pod ${pod.metadata.name}: a copy replaces the command of one of its containers`);
    const mine = (await targets.listForks(entity, { owner: userRef })).filter(f => !f.pod.metadata.deletionTimestamp);
    if (mine.length >= config.maxForksPerUser) {
      const names = mine.map(f => f.pod.metadata.name).join(', ');
      throw new StatusError(429, `you already have ${mine.length} pod copies of ${entity.metadata.name} (kubeTroubleshoot.debug.maxForksPerUser = ${config.maxForksPerUser}): delete one first (${names})`);
    }
    if (targets.isProduction(client.name)) audit.raise('high');
    const fork = await createFork(client, pod, {
      container: request.container,
      userRef,
      entityRef: stringifyEntityRef(entity),
      ttlSeconds: config.forkTtlSeconds,
      sameNode: config.forkSameNode,
      timeoutMs: config.startTimeoutSeconds * 1000,
    });
    const summary = summarizeFork(client.name, fork);
    audit.note({ fork: summary.name, expiresAt: summary.expiresAt });
    const target: SessionTarget = {
      kind: 'debug',
      entityRef: stringifyEntityRef(entity),
      cluster: client.name,
      namespace: summary.namespace,
      pod: summary.name,
      container: request.container,
      deletePodOnEnd: true,
    };
    const ticket = await this.deps.sessions.issue(userRef, target, basePath);
    return { ...ticket, fork: summary, originalCommand: [...(original.command ?? []), ...(original.args ?? [])] };
  }

  async listForks(entity: Entity, userRef: string): Promise<ForkListResponse> {
    const forks = await this.deps.targets.listForks(entity, { owner: userRef });
    return { items: forks.map(f => summarizeFork(f.client.name, f.pod)) };
  }

  /** Deletes one of the caller's copies; another user's copy is "not found". */
  async deleteFork(entity: Entity, userRef: string, name: string, cluster?: string): Promise<ForkSummary> {
    const fork = (await this.deps.targets.listForks(entity, { cluster, owner: userRef })).find(f => f.pod.metadata.name === name);
    if (!fork) throw new NotFoundError(`no pod copy ${name} of yours for ${stringifyEntityRef(entity)}`);
    await deleteFork(fork.client, fork.pod.metadata.namespace ?? 'default', fork.pod.metadata.name);
    return summarizeFork(fork.client.name, fork.pod);
  }

  /**
   * Streams a tar of a file or folder of a container into `sink`. The reading container is asked
   * first (exists? readable? how large?), so a missing path is a 404 and one past the limit a 413
   * before any byte. A container without sh or tar (distroless) is read through a debug container in
   * its process namespace, at /proc/1/root: the user's running file helper or debug shell on that
   * target if there is one, else a new helper that sleeps FILE_HELPER_SECONDS. A failure after the
   * first byte is thrown too: the response is cut, never ended short.
   */
  async download(entity: Entity, userRef: string, query: FileDownloadQuery, sink: TarSink, signal: AbortSignal, audit: RequestAudit) {
    const file = checkContainerPath(query.path);
    if (!file.ok) throw new InputError(file.message);
    const { client, pod } = await this.deps.targets.findPodOrOwnFork(entity, query, userRef);
    TargetResolver.checkContainer(pod, query.container);
    const where = { namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name };
    const { fileMaxBytes } = this.deps.config;
    const production = this.deps.targets.isProduction(client.name);
    // On production, files are read as the shell's normal user; a debug container runs under the
    // production profile (non-root) anyway.
    const { user } = this.deps.productionShell;
    const asUser: AsUser | undefined = production ? command => ['sh', '-c', normalUserWrapper(), 'normal-user', user, '--', ...command] : undefined;
    const readerName = production ? `the user ${user} (production)` : 'the user the container runs as';
    let reader: { container: string; root: string; via: string; asUser?: AsUser } = { container: query.container, root: '', via: 'tar in the container', asUser };
    let probe = await probePath(client, { ...where, container: query.container }, file, { asUser });
    if (probe.kind === 'no-tools') {
      reader = { ...(await this.fileHelper(client, pod, userRef, query.container)), root: '/proc/1/root' };
      probe = await probePath(client, { ...where, container: reader.container }, file, { root: reader.root });
      if (probe.kind === 'no-tools') throw new StatusError(502, `the debug container ${reader.container} cannot read files: ${probe.why}`);
    }
    audit.note({ via: reader.via });
    const inContainer = `${query.path} in container ${query.container} of pod ${pod.metadata.name}`;
    if (probe.kind === 'no-root') {
      throw new NotAllowedError(`the files of container ${query.container} cannot be read through the debug container ${reader.container}: it may not see the target's processes (under the production profile it runs as a normal user)`);
    }
    if (probe.kind === 'missing') throw new NotFoundError(`${inContainer} does not exist`);
    if (probe.kind === 'unreadable') throw new NotAllowedError(`${inContainer} cannot be read by ${readerName}`);
    if (probe.bytes > fileMaxBytes) {
      throw new StatusError(413, `${inContainer} is about ${megabytes(probe.bytes)}: more than kubeTroubleshoot.debug.fileMaxBytes (${megabytes(fileMaxBytes)})`);
    }
    audit.note({ estimatedBytes: probe.bytes });
    sink.estimate?.(probe.bytes);
    const result = await streamTar(client, { ...where, container: reader.container }, file, sink, { maxBytes: fileMaxBytes, root: reader.root, signal, asUser: reader.asUser });
    if (!result.ok) {
      if (result.status === 404) throw new NotFoundError(result.message);
      if (result.status === 400) throw new InputError(result.message);
      throw new StatusError(result.status, result.message, 'FileDownloadError');
    }
    return { bytes: result.bytes, via: reader.via };
  }

  /**
   * A debug container to read a distroless container's files through: the user's running file
   * helper on that target (with a minute left at least), or their running debug shell, else a new
   * helper. So a user's downloads add at most one container per target while one runs.
   */
  private async fileHelper(client: KubeApi, pod: PodJson, userRef: string, target: string): Promise<{ container: string; via: string }> {
    const now = Date.now();
    const running = runningDebugContainers(pod, userRef, target);
    const helper = running.find(c => c.purpose === 'files' && (!c.startedAt || Date.parse(c.startedAt) + (FILE_HELPER_SECONDS - 60) * 1000 > now));
    const existing = helper ?? running.find(c => c.purpose === 'shell');
    if (existing) return { container: existing.name, via: `debug container ${existing.name} at /proc/1/root (reused)` };
    const choice = this.choose(client.name, {});
    const name = await startDebugContainer(client, pod, {
      target,
      image: choice.image.image,
      profile: choice.profile,
      userRef,
      timeoutMs: this.deps.config.startTimeoutSeconds * 1000,
      purpose: 'files',
    });
    return { container: name, via: `debug container ${name} at /proc/1/root` };
  }

  /** Deletes the copy a session was opened on, as its user (audited); the reaper catches failures. */
  private async sessionEnded(target: SessionTarget, user: SessionUser) {
    if (!target.deletePodOnEnd) return;
    const audit = new RequestAudit(this.deps.auditor, this.deps.logger, {
      eventId: 'fork-deleted',
      request: user.request,
      actor: user.userRef,
      severity: 'medium',
      meta: { entityRef: target.entityRef, cluster: target.cluster, namespace: target.namespace, pod: target.pod, why: 'session ended' },
    });
    try {
      await deleteFork(this.deps.targets.client(target.cluster), target.namespace, target.pod);
      await audit.succeed();
    } catch (e) {
      await audit.fail(e);
    }
  }

  /** The reaper task's body: deletes expired copies in every cluster, even those of a backend that died. */
  async reapExpired(): Promise<void> {
    const { targets, auditor, logger } = this.deps;
    for (const cluster of targets.clusterNames()) {
      let reaped: ForkSummary[];
      try {
        reaped = await reapExpiredForks(targets.client(cluster));
      } catch (e) {
        logger.warn(`fork reaper: cluster ${cluster}: ${(e as Error).message}`);
        continue;
      }
      for (const fork of reaped) {
        // Nobody asked: the plugin is the actor, the copy's owner is in meta.
        const audit = new RequestAudit(auditor, logger, { eventId: 'fork-reaped', actor: 'plugin:kube-troubleshoot', severity: 'medium', meta: { ...fork } });
        await audit.succeed();
        logger.info(`deleted the expired pod copy ${fork.cluster}/${fork.namespace}/${fork.name} of ${fork.user}`);
      }
    }
  }
}
