import { chooseProtocol, endStatus } from './execStream';
import { parseTerminalSize } from '../kubelet/runtime/pty';

describe('exec stream protocol', () => {
  it('prefers v5, then v4, then the unversioned protocol', () => {
    expect(chooseProtocol(new Set(['v4.channel.k8s.io', 'v5.channel.k8s.io', 'channel.k8s.io']))).toBe('v5.channel.k8s.io');
    expect(chooseProtocol(new Set(['channel.k8s.io', 'v4.channel.k8s.io']))).toBe('v4.channel.k8s.io');
    expect(chooseProtocol(new Set(['v3.channel.k8s.io']))).toBeUndefined();
  });
  it("writes the kubelet's exit Status, with the cause type under the JSON key reason", () => {
    expect(JSON.stringify(endStatus({ kind: 'exit', code: 0 }, ['true']))).toBe('{"metadata":{},"status":"Success"}');
    expect(JSON.stringify(endStatus({ kind: 'exit', code: 3 }, ['sh', '-c', 'exit 3']))).toBe(
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    );
    expect(endStatus({ kind: 'detached' }, ['sh'])).toEqual({ metadata: {}, status: 'Success' });
  });
  it('reports a runtime failure as an internal error', () => {
    const s = endStatus({ kind: 'error', message: 'exec: "bash": executable file not found in $PATH: unknown' }, ['bash']);
    expect(s).toMatchObject({ status: 'Failure', reason: 'InternalError', code: 500, message: 'Internal error occurred: exec: "bash": executable file not found in $PATH: unknown' });
  });
  it.each([
    ['{"Width":80,"Height":24}\n', { width: 80, height: 24 }], // kubectl
    ['{"height":30,"width":100}', { width: 100, height: 30 }], // client-node
    ['{"Width":81,"Height":25}\n{"Width":80,"Height":24}\n', { width: 80, height: 24 }], // two in one frame: the last wins
    ['{"Width":-1,"Height":24}', undefined],
    ['not json', undefined],
  ])('parses the resize frame %j', (text, size) => {
    expect(parseTerminalSize(text)).toEqual(size);
  });
});
