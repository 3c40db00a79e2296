/**
 * What the relay needs of Kubernetes' channel.k8s.io protocol (v4 and v5): channel numbers, the
 * resize message, and the exit Status on the error channel. Pure.
 */
export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export const UPSTREAM_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export const channelFrame = (channel: number, data: Uint8Array | string) =>
  Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data) : Buffer.from(data)]);

/** The resize message, with the Go field names the apiserver's decoder expects. */
export const resizeFrame = (cols: number, rows: number) => channelFrame(CHANNEL.resize, JSON.stringify({ Width: cols, Height: rows }));

/** How the command ended, read from the Status on channel 3. */
export type ExitResult = { exitCode: number } | { error: string };

export function readExitStatus(payload: Buffer): ExitResult {
  let status: { status?: string; reason?: string; message?: string; details?: { causes?: Array<{ reason?: string; message?: string }> } };
  try {
    status = JSON.parse(payload.toString('utf8'));
  } catch {
    // channel.k8s.io (v1-v3) writes the error as plain text
    return { error: payload.toString('utf8') };
  }
  if (status.status === 'Success') return { exitCode: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const code = Number(status.details?.causes?.find(c => c.reason === 'ExitCode')?.message);
    if (Number.isInteger(code)) return { exitCode: code };
  }
  return { error: status.message ?? 'the command failed' };
}
