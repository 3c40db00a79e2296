import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { RequestAudit } from '../http/RequestAudit';
import { SessionLedger } from './SessionLedger';

/**
 * The lost-sessions task's body (one replica at a time): closes the sessions and recordings of
 * replicas that stopped without ending them (crashed, SIGKILLed, lost their database), and audits
 * each closed recording, since the replica that opened its session could not.
 */
export async function auditLostSessions(deps: { ledger: SessionLedger; auditor: AuditorService; logger: LoggerService }): Promise<void> {
  const lost = await deps.ledger.closeLost();
  for (const r of lost) {
    const audit = new RequestAudit(deps.auditor, deps.logger, {
      eventId: 'session-lost',
      actor: 'plugin:kube-troubleshoot',
      severity: 'medium',
      meta: { recordingId: r.id, user: r.userRef, entityRef: r.entityRef, cluster: r.cluster, namespace: r.namespace, pod: r.pod, container: r.container, replicaId: r.replicaId },
    });
    await audit.succeed();
    deps.logger.warn(`closed the recording ${r.id} of ${r.userRef} on ${r.cluster}/${r.namespace}/${r.pod}/${r.container}: the replica serving it stopped without ending it`);
  }
}
