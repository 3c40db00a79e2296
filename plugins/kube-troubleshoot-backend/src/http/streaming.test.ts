import http from 'node:http';
import { attachmentHeader } from './streaming';

describe('attachmentHeader', () => {
  it.each([
    ['server.js.tar', `attachment; filename="server.js.tar"; filename*=UTF-8''server.js.tar`],
    ['отчёт.csv.tar', `attachment; filename="_____.csv.tar"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.csv.tar`],
    ['a "quoted" \\ name%.tar', `attachment; filename="a _quoted_ _ name_.tar"; filename*=UTF-8''a%20%22quoted%22%20%5C%20name%25.tar`],
    ["it's (1)*.tar", `attachment; filename="it's (1)*.tar"; filename*=UTF-8''it%27s%20%281%29%2A.tar`],
  ])('names %j so that any HTTP stack takes it', (name, header) => {
    expect(attachmentHeader(name)).toBe(header);
    expect(() => http.validateHeaderValue('Content-Disposition', attachmentHeader(name))).not.toThrow();
  });
});
