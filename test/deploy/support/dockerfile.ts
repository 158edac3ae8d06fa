import { readRepositoryFile } from '../../harness/repository-files';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** The FROM image with the ARGs before the first FROM expanded to their defaults. */
  image: string;
  /** The FROM image as written (`${NODE_IMAGE}`). */
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The Dockerfile's stages and their instructions, continuation lines joined and comments dropped. */
export function parseDockerfile(text = readRepositoryFile('Dockerfile')): Stage[] {
  const stages: Stage[] = [];
  const globalArgs = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      const [, from = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      const image = from.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced?: string, bare?: string) => globalArgs.get((braced ?? bare)!) ?? '');
      stages.push({ image, from, name, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push({ keyword: keyword.toUpperCase(), args });
    } else if (keyword.toUpperCase() === 'ARG') {
      const { name, value } = parseArg(args);
      globalArgs.set(name, value ?? '');
    } else {
      throw new Error(`Dockerfile: ${keyword} before the first FROM`);
    }
  }
  return stages;
}

/** `ARG NAME` or `ARG NAME=default`. */
export function parseArg(args: string): { name: string; value: string | undefined } {
  const [, name = '', value] = /^(\w+)(?:=(\S*))?$/.exec(args.trim()) ?? [];
  if (!name) throw new Error(`Dockerfile: cannot read ARG ${args}`);
  return { name, value };
}

function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    lines.push(pending + line);
    pending = '';
  }
  return lines;
}

/** The arguments of every instruction `keyword` in the stage. */
export function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** An exec-form argument list (`["node", "dist/cli.js"]`); throws on the shell form. */
export function execForm(args: string): string[] {
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((a): a is string => typeof a === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed;
}

/** The variables of one `ENV A=1 B=2` instruction. */
export function parseEnv(args: string): Record<string, string> {
  return Object.fromEntries(args.split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

/** The stage's ENV, all instructions merged. */
export function stageEnv(stage: Stage): Record<string, string> {
  return Object.assign({}, ...instructions(stage, 'ENV').map(parseEnv)) as Record<string, string>;
}

export interface Copy {
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function parseCopy(args: string): Copy {
  const words = args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
}

/** HEALTHCHECK [options] CMD [...]: the command, exec form. */
export function healthcheckCommand(stage: Stage): string[] {
  const [healthcheck] = instructions(stage, 'HEALTHCHECK');
  const command = healthcheck && /(?:^|\s)CMD\s+(\[.*\])$/.exec(healthcheck)?.[1];
  if (!command) throw new Error('the stage has no HEALTHCHECK CMD in exec form');
  return execForm(command);
}
