import { readExitStatus, resizeFrame } from './channelProtocol';

describe('upstream exec frames', () => {
  it.each([
    ['{"metadata":{},"status":"Success"}', { exitCode: 0 }],
    ['{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}', { exitCode: 3 }],
    ['{"metadata":{},"status":"Failure","message":"Internal error occurred: exec: \\"sh\\": executable file not found in $PATH","reason":"InternalError","code":500}', { error: 'Internal error occurred: exec: "sh": executable file not found in $PATH' }],
    ['container not found', { error: 'container not found' }],
  ])('reads %s', (text, result) => {
    expect(readExitStatus(Buffer.from(text))).toEqual(result);
  });
  it('writes resize with the Go field names', () => {
    expect(resizeFrame(120, 40).toString('latin1')).toBe('\x04{"Width":120,"Height":40}');
  });
});
