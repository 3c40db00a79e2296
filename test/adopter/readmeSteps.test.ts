import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/tools';
import { applySteps, readSteps } from './readmeSteps';

// Fast checks of the README-as-script machinery; adopter.test.ts runs the real README in real apps.
describe("the README's install steps", () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

  it('give every code block of the install section a directive, for both app shapes', () => {
    const steps = readSteps(readme);
    expect(steps.filter(s => s.shapes.includes('new')).map(s => s.action)).toEqual(['run', 'find', 'replace', 'create', 'append', 'run']);
    expect(steps.filter(s => s.shapes.includes('legacy')).length).toBeGreaterThan(10);
  });

  it('refuse a code block without a directive, an unknown action and a missing file', () => {
    const section = (body: string) => `# x\n## Install into your Backstage app\n${body}\n## Next\n`;
    expect(() => readSteps(section('```sh\nls\n```'))).toThrow(/line 3: a code block of the install section without/);
    expect(() => readSteps(section('<!-- adopter: paste -->\n```sh\nls\n```'))).toThrow('unknown adopter action "paste"');
    expect(() => readSteps(section('<!-- adopter: find -->\n```ts\nx\n```'))).toThrow('"find" needs a file');
  });

  it('apply find/replace/after/prepend/append, and refuse a find that is not unique', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-steps-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), 'one\ntwo\nthree\n');
      const steps = readSteps(
        [
          '## Install into your Backstage app',
          '<!-- adopter: find a.ts -->', '```ts', 'two', '```',
          '<!-- adopter: replace -->', '```ts', 'TWO', '```',
          '<!-- adopter: find a.ts -->', '```ts', 'one', '```',
          '<!-- adopter(legacy): after -->', '```ts', 'one-and-a-half', '```',
          '<!-- adopter: prepend a.ts -->', '```ts', 'zero', '```',
          '<!-- adopter: append b.yaml -->', '```yaml', 'k: v', '```',
        ].join('\n'),
      );
      applySteps(steps.filter(s => s.action !== 'after' || s.shapes.includes('legacy')), dir, 'legacy', process.env, () => undefined);
      expect(fs.readFileSync(path.join(dir, 'a.ts'), 'utf8')).toBe('zero\none\none-and-a-half\nTWO\nthree\n');
      expect(fs.readFileSync(path.join(dir, 'b.yaml'), 'utf8')).toBe('k: v\n');
      const twice = readSteps('## Install into your Backstage app\n<!-- adopter: find a.ts -->\n```ts\ne\n```\n<!-- adopter: replace -->\n```ts\nE\n```\n');
      expect(() => applySteps(twice, dir, 'new', process.env, () => undefined)).toThrow(/occurs \d+ times in a.ts, not once/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
