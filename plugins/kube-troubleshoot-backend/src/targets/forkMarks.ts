/**
 * How a Debug-tab pod copy is marked. A copy carries none of the entity's labels (so no Service or
 * controller adopts it): the fork-of label and these annotations are how the entity, its owner
 * and its expiry are found again, by the targets (whose copy is it?) and the reaper.
 */
export const FORK_OF_LABEL = 'kube-troubleshoot.io/fork-of';
export const FORK_USER_ANNOTATION = 'kube-troubleshoot.io/fork-user';
export const FORK_ENTITY_ANNOTATION = 'kube-troubleshoot.io/fork-entity';
export const FORK_EXPIRES_ANNOTATION = 'kube-troubleshoot.io/fork-expires';
