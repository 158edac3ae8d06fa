import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { readRepositoryFile, REPOSITORY_ROOT } from '../../harness/repository-files';
import { execForm, parseArg, parseCopy, parseEnv, type Stage } from './dockerfile';

/** A stage's file system after its steps ran: `root` stands for its `/`. */
export interface BuiltStage {
  stage: Stage;
  root: string;
  workdir: string;
  env: Record<string, string>;
  /** The stage's ARGs: like ENV for its RUN steps, but not part of the image. */
  args: Record<string, string>;
  entrypoint: string[];
}

const STEP_TIMEOUT_MS = 240_000;

/**
 * The paths .dockerignore lets into the build context. It must be an allowlist (`*`, then `!path`
 * lines), the only form this reads; anything else throws, so the test never guesses.
 */
export function buildContextPaths(): string[] {
  const patterns = readRepositoryFile('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const [first, ...rest] = patterns;
  const literal = /^![\w.-]+(\/[\w.-]+)*$/;
  if (first !== '*' || !rest.every((p) => literal.test(p))) throw new Error(`.dockerignore is not an allowlist of '*' then '!path' lines: ${patterns.join(' ')}`);
  return rest.map((p) => p.slice(1));
}

/**
 * Runs the Dockerfile's steps outside a container: each stage gets a temporary directory as its root;
 * COPY copies from the build context (only what .dockerignore lets in) or an earlier stage, RUN runs
 * through `sh -c` in the WORKDIR with the stage's ENV and ARGs (`buildArgs` as --build-arg), as docker would; ENTRYPOINT is kept for running
 * the result. An instruction this does not know throws, so a new step is never skipped silently.
 */
export function buildOutsideContainer(stages: Stage[], buildArgs: Record<string, string> = {}): { built: BuiltStage[]; remove: () => void } {
  const context = mkdtempSync(join(tmpdir(), 'docker-context-'));
  const built: BuiltStage[] = [];
  const remove = () => [context, ...built.map((b) => b.root)].forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  try {
    buildStages(stages, context, built, buildArgs);
  } catch (error) {
    remove();
    throw error;
  }
  return { built, remove };
}

function buildStages(stages: Stage[], context: string, built: BuiltStage[], buildArgs: Record<string, string>): void {
  for (const path of buildContextPaths()) cpSync(join(REPOSITORY_ROOT, path), join(context, path), { recursive: true });
  for (const stage of stages) {
    const root = mkdtempSync(join(tmpdir(), `docker-stage-${stage.name ?? built.length}-`));
    chmodSync(root, 0o755); // like an image's /: readable by the non-root USER
    const state: BuiltStage = { stage, root, workdir: '/', env: {}, args: {}, entrypoint: [] };
    built.push(state);
    for (const { keyword, args } of stage.instructions) {
      const inStage = (path: string) => join(root, posix.resolve(state.workdir, path));
      switch (keyword) {
        case 'WORKDIR':
          state.workdir = posix.resolve(state.workdir, args);
          mkdirSync(inStage('.'), { recursive: true });
          break;
        case 'ENV':
          state.env = { ...state.env, ...parseEnv(args) };
          break;
        case 'ARG': {
          const { name, value } = parseArg(args);
          const given = buildArgs[name] ?? value;
          if (given !== undefined) state.args[name] = given;
          break;
        }
        case 'COPY': {
          const { from, sources, destination } = parseCopy(args);
          const source = from ? built.find((b) => b !== state && b.stage.name === from)?.root : context;
          if (!source) throw new Error(`COPY --from=${from}: no such stage`);
          const intoDirectory = destination.endsWith('/') || sources.length > 1;
          for (const path of sources) {
            const target = intoDirectory ? join(inStage(destination), basename(path)) : inStage(destination);
            cpSync(join(source, path), target, { recursive: true });
          }
          break;
        }
        case 'RUN':
          execFileSync('sh', ['-c', args], {
            cwd: inStage('.'),
            env: { PATH: process.env.PATH, HOME: process.env.HOME, ...state.args, ...state.env },
            stdio: 'pipe',
            timeout: STEP_TIMEOUT_MS,
          });
          break;
        case 'ENTRYPOINT':
          state.entrypoint = execForm(args);
          break;
        // Metadata for the image, checked by the Dockerfile's own tests.
        case 'CMD':
        case 'USER':
        case 'EXPOSE':
        case 'HEALTHCHECK':
          break;
        default:
          throw new Error(`buildOutsideContainer does not know the Dockerfile instruction ${keyword}`);
      }
    }
  }
}
