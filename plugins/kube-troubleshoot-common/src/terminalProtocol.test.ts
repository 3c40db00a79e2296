import { bearerProtocol, decodeFrame, encodeFrame, Frame, FrameType, tokenFromBearerProtocol } from './terminalProtocol';

describe('terminal frames', () => {
  const frames: Frame[] = [
    { type: 'stdin', data: new TextEncoder().encode('ls -la\r') },
    { type: 'stdout', data: new Uint8Array([0x1b, 0x5b, 0x33, 0x32, 0x6d, 0xff, 0x00]) },
    { type: 'resize', size: { cols: 312, rows: 80 } },
    { type: 'ready', ready: { shell: 'bash', production: true, recordingId: 'r1', idleTimeoutSeconds: 900, maxDurationSeconds: 0 } },
    { type: 'ended', ended: { reason: 'exit', exitCode: 3, message: 'the shell exited with code 3' } },
    { type: 'error', message: 'resize ignored' },
    { type: 'notice', notice: { kind: 'idle', secondsLeft: 60, message: 'idle: closing in 60 s' } },
    { type: 'ping', data: new Uint8Array([1, 2]) },
    { type: 'pong', data: new Uint8Array([1, 2]) },
  ];
  it.each(frames.map(f => [f.type, f]))('round-trips %s', (_t, frame) => {
    expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
  });
  it('keeps terminal bytes as they are (no text decoding, no base64)', () => {
    const bytes = encodeFrame({ type: 'stdout', data: new Uint8Array([0xe2, 0x82]) }); // half a UTF-8 character
    expect(Array.from(bytes)).toEqual([FrameType.stdout, 0xe2, 0x82]);
  });
  it('names what is wrong with a bad frame', () => {
    expect(() => decodeFrame(new Uint8Array())).toThrow('empty frame');
    expect(() => decodeFrame(new Uint8Array([99]))).toThrow('unknown frame type 99');
    expect(() => decodeFrame(new Uint8Array([FrameType.resize, 1]))).toThrow('resize frame must carry 4 bytes, got 1');
    expect(() => decodeFrame(new Uint8Array([FrameType.ended, 123]))).toThrow('frame type 4 carries invalid JSON');
  });
  it('carries a token as a valid subprotocol (token characters only) and reads it back', () => {
    const token = 'mock-user-token:{"sub":"user:default/alice"}/+=é';
    const protocol = bearerProtocol(token);
    expect(protocol).toMatch(/^bearer\.[A-Za-z0-9_-]+$/);
    expect(tokenFromBearerProtocol(protocol)).toBe(token);
    expect(tokenFromBearerProtocol('bearer.')).toBeUndefined();
    expect(tokenFromBearerProtocol('bearer.a b')).toBeUndefined();
    expect(tokenFromBearerProtocol('bearer.A')).toBeUndefined(); // no base64 has 4n+1 characters
    expect(tokenFromBearerProtocol('bearer._w')).toBeUndefined(); // 0xff: not UTF-8
    expect(tokenFromBearerProtocol('ticket.abc')).toBeUndefined();
  });
});
