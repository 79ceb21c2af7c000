// The READMEs' configuration tables against the zod schemas that read the environment: the API's table must
// list exactly the API's variables, the web's table every variable the web's own code reads, and the root
// README's summary only variables some part of the service really reads.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

import { configVariables as apiVariables } from '../apps/api/src/config.ts';
import { configVariables as webAppVariables } from '../apps/web/src/config.ts';
import { serverConfigVariables } from '../apps/web/src/server/settings.mjs';

const webVariables = [...webAppVariables, ...serverConfigVariables];

const repo = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFile(path.join(repo, file), 'utf8');

/** The `NAME`s in the first column of the Markdown table that starts with `| variable |` after `heading`. */
function tableVariables(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(heading);
  assert.ok(start >= 0, `no heading "${heading}"`);
  const lines = markdown.slice(start).split('\n');
  const header = lines.findIndex((line) => /^\|\s*variable\s*\|/.test(line));
  assert.ok(header >= 0, `no "| variable |" table after "${heading}"`);
  const rows = lines.slice(header + 2);
  const end = rows.findIndex((line) => !line.startsWith('|'));
  const table = end < 0 ? rows : rows.slice(0, end);
  const names = table.flatMap((row) =>
    [...(row.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!),
  );
  assert.ok(names.length > 0, `the table after "${heading}" names no variables`);
  return names;
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

test("apps/api/README.md's configuration table lists exactly the API's variables", async () => {
  const documented = tableVariables(await read('apps/api/README.md'), '## Configuration');
  assert.deepEqual(sorted(documented), sorted(apiVariables));
});

test("apps/web/README.md's configuration table lists every variable the web's code reads", async () => {
  const documented = new Set(tableVariables(await read('apps/web/README.md'), '## Environment'));
  // NODE_ENV is set by Next.js itself, never by whoever runs the gallery.
  const missing = webVariables.filter((name) => name !== 'NODE_ENV' && !documented.has(name));
  assert.deepEqual(missing, []);
});

test("the root README's configuration table names only variables something reads", async () => {
  const documented = tableVariables(await read('README.md'), '## Configuration');
  const webReadme = new Set(tableVariables(await read('apps/web/README.md'), '## Environment'));
  const start = await read('scripts/start.mjs');
  const readByStart = new Set([...start.matchAll(/\b([A-Z][A-Z0-9_]+)\b/g)].map((m) => m[1]!));
  const known = (name: string) =>
    apiVariables.includes(name) || webVariables.includes(name) || webReadme.has(name) || readByStart.has(name);
  assert.deepEqual(
    documented.filter((name) => !known(name)),
    [],
  );
});
