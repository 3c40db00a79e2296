import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The README's install section as steps. Each fenced block is introduced by an HTML comment (not
 * shown on GitHub) saying what the adopter test does with it, so the README is the script:
 *   <!-- adopter: run -->                 the sh block runs in the app's root
 *   <!-- adopter: find FILE -->           the block must occur exactly once in FILE ...
 *   <!-- adopter: replace -->             ... and this block replaces it,
 *   <!-- adopter: after -->               ... or this block goes right after it
 *   <!-- adopter: prepend FILE -->        the block goes at the top of FILE
 *   <!-- adopter: append FILE -->         the block goes at the end of FILE (created if missing)
 *   <!-- adopter: create FILE -->         the block is the new FILE (it must type-check)
 * `adopter(legacy)` / `adopter(new)` limit a step to apps of that frontend system.
 */

export type AppShape = 'new' | 'legacy';
export type StepAction = 'run' | 'find' | 'replace' | 'after' | 'prepend' | 'append' | 'create';

export interface Step {
  action: StepAction;
  file?: string;
  shapes: AppShape[];
  body: string;
  /** 1-based README line of the directive, for error messages. */
  line: number;
}

const SECTION = '## Install into your Backstage app';
const ACTIONS = new Set<StepAction>(['run', 'find', 'replace', 'after', 'prepend', 'append', 'create']);
const WITH_FILE = new Set<StepAction>(['find', 'prepend', 'append', 'create']);

/** The steps of the README's install section; a code block without a directive is an error. */
export function readSteps(readme: string): Step[] {
  const start = readme.indexOf(`${SECTION}\n`);
  if (start < 0) throw new Error(`README has no "${SECTION}" section`);
  const end = readme.indexOf('\n## ', start + SECTION.length);
  const firstLine = readme.slice(0, start).split('\n').length;
  const lines = readme.slice(start, end < 0 ? undefined : end).split('\n');
  const steps: Step[] = [];
  let pending: Omit<Step, 'body'> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const at = firstLine + i;
    const directive = /^<!-- adopter(?:\((new|legacy)\))?: (\w+)(?: (\S+))? -->$/.exec(lines[i]);
    if (directive) {
      const [, shape, action, file] = directive;
      if (!ACTIONS.has(action as StepAction)) throw new Error(`README line ${at}: unknown adopter action "${action}"`);
      if (WITH_FILE.has(action as StepAction) !== !!file) throw new Error(`README line ${at}: "${action}" ${file ? 'takes no file' : 'needs a file'}`);
      pending = { action: action as StepAction, file, shapes: shape ? [shape as AppShape] : ['new', 'legacy'], line: at };
      continue;
    }
    if (/^```/.test(lines[i])) {
      const close = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
      if (close < 0) throw new Error(`README line ${at}: unclosed code block`);
      if (!pending) throw new Error(`README line ${at}: a code block of the install section without an <!-- adopter: ... --> directive`);
      steps.push({ ...pending, body: `${lines.slice(i + 1, close).join('\n')}\n` });
      pending = undefined;
      i = close;
    }
  }
  return steps;
}

/** Applies the steps for one app shape; `run` steps get `env` and write to `output` (a file descriptor). */
export function applySteps(steps: Step[], appDir: string, shape: AppShape, env: NodeJS.ProcessEnv, log: (line: string) => void, output: number | 'ignore' = 'ignore'): void {
  let found: { file: string; text: string; step: Step } | undefined;
  for (const step of steps.filter(s => s.shapes.includes(shape))) {
    const where = `README line ${step.line}`;
    const target = step.file ? path.join(appDir, step.file) : undefined;
    switch (step.action) {
      case 'run':
        log(`$ ${step.body.trim()}`);
        try {
          execFileSync('bash', ['-euo', 'pipefail', '-c', step.body], { cwd: appDir, env, stdio: ['ignore', output, output] });
        } catch (e) {
          throw new Error(`${where}: the commands failed (${(e as Error).message.split('\n')[0]})`);
        }
        break;
      case 'find': {
        const content = fs.readFileSync(target!, 'utf8');
        const count = content.split(step.body).length - 1;
        if (count !== 1) throw new Error(`${where}: the text to find occurs ${count} times in ${step.file}, not once:\n${step.body}`);
        found = { file: target!, text: step.body, step };
        break;
      }
      case 'replace':
      case 'after': {
        if (!found) throw new Error(`${where}: "${step.action}" without a "find" before it`);
        const content = fs.readFileSync(found.file, 'utf8');
        const next = step.action === 'replace' ? step.body : found.text + step.body;
        fs.writeFileSync(found.file, content.replace(found.text, () => next));
        log(`${step.action} in ${path.relative(appDir, found.file)} (README line ${found.step.line})`);
        found = undefined;
        break;
      }
      case 'prepend':
        fs.writeFileSync(target!, step.body + fs.readFileSync(target!, 'utf8'));
        log(`prepend to ${step.file}`);
        break;
      case 'append':
        fs.appendFileSync(target!, step.body);
        log(`append to ${step.file}`);
        break;
      case 'create':
        if (fs.existsSync(target!)) throw new Error(`${where}: ${step.file} exists already`);
        fs.mkdirSync(path.dirname(target!), { recursive: true });
        fs.writeFileSync(target!, step.body);
        log(`create ${step.file}`);
        break;
      default:
        throw new Error(`${where}: unknown action ${step.action satisfies never}`);
    }
  }
  if (found) throw new Error(`README line ${found.step.line}: a "find" without a "replace" or "after"`);
}
