import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { errorMiddleware } from './errorMiddleware';
import { StatusError } from './errors';

/** A GET over a real socket: the status and body, or how the connection ended. */
function get(server: http.Server, path: string) {
  return new Promise<{ status?: number; body: string; aborted: boolean }>(resolve => {
    const { port } = server.address() as AddressInfo;
    const req = http.get({ host: '127.0.0.1', port, path }, res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', d => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body, aborted: false }));
      res.on('aborted', () => resolve({ status: res.statusCode, body, aborted: true }));
      res.on('error', () => resolve({ status: res.statusCode, body, aborted: true }));
    });
    req.on('error', () => resolve({ body: '', aborted: true }));
  });
}

describe('errorMiddleware', () => {
  const logger = mockServices.logger.mock();
  const router = Router();
  router.get('/input', async () => {
    throw new InputError('query parameter pod must be a pod name');
  });
  router.get('/gateway', async () => {
    throw new StatusError(502, 'the cluster answered nonsense');
  });
  router.get('/cut', async (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    res.write('first part of the archive');
    await new Promise(r => setImmediate(r));
    throw new StatusError(413, 'the archive is larger than the limit');
  });
  router.use(errorMiddleware(logger));
  const server = http.createServer(express().use(router));

  beforeAll(() => new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise<void>(resolve => server.close(() => resolve())));

  it('answers a thrown error with its status and Backstage\'s error body', async () => {
    const res = await get(server, '/input');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      error: { name: 'InputError', message: 'query parameter pod must be a pod name' },
      request: { method: 'GET', url: '/input' },
      response: { statusCode: 400 },
    });
  });

  it('names the status of errors @backstage/errors has no class for, and logs server-side failures', async () => {
    const res = await get(server, '/gateway');
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body).error).toEqual({ name: 'BadGatewayError', message: 'the cluster answered nonsense', statusCode: 502 });
    expect(logger.error).toHaveBeenCalledWith('GET /gateway failed with 502: the cluster answered nonsense');
  });

  it('cuts a response that already started, so it never looks complete', async () => {
    const res = await get(server, '/cut');
    expect(res.status).toBe(200);
    expect(res.aborted).toBe(true);
  });
});
