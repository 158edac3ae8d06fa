import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeRow, type BenchReport } from './report';

const BENCH_DIR = join(__dirname, '..');

/** The short commit measured, with `+` when bench/ or src/ had changes (other than the recorded runs themselves). */
export function currentCommit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: BENCH_DIR, encoding: 'utf8' }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', '.', '../src', ':(exclude)results', ':(exclude)README.md').length > 0 ? '+' : ''}`;
  } catch {
    return 'unknown';
  }
}

/**
 * Keeps the run: bench/results/<timestamp>.json, and a row appended to the runs table that ends
 * bench/README.md. Returns the JSON file's path.
 */
export function recordRun(report: BenchReport): string {
  const dir = join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  appendFileSync(join(BENCH_DIR, 'README.md'), `${readmeRow(report)}\n`);
  return file;
}
