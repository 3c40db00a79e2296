import { LoggerService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';

/** @internal */
export interface RouterOptions {
  logger: LoggerService;
}

/**
 * The plugin's HTTP routes. Mounted under `/api/kube-troubleshoot`.
 *
 * @internal
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { logger } = options;
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  logger.debug('kube-troubleshoot routes ready');
  return router;
}
