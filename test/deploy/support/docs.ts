import { readRepositoryFile } from '../../harness/repository-files';

/** The text of the README section under `## heading`, up to the next `## ` heading. */
export function readmeSection(heading: string): string {
  const readme = readRepositoryFile('README.md');
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no '## ${heading}' section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The variable names .env.example lists, set (`NAME=`) or commented out (`# NAME=`). */
export function envExampleNames(): string[] {
  return [...readRepositoryFile('.env.example').matchAll(/^(?:#\s*)?([A-Z][A-Z0-9_]*)=/gm)].map(([, name]) => name!).sort();
}
