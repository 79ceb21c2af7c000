// The package's pure subpaths (./bleu, ./metrics, ./decode-limits) must load no native code, so the
// gallery and metric-only code can import them without ONNX Runtime or sharp. Each is imported in a
// fresh process (from the source file its export points at); the root entry is the control that does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const packageDir = new URL('../', import.meta.url);
const PURE_SUBPATHS = ['./bleu', './metrics', './decode-limits'];

/** The source file behind an export: dist/x.js is built from src/x.ts. */
async function sourceOf(subpath: string): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL('package.json', packageDir), 'utf8')) as {
    exports: Record<string, { default: string }>;
  };
  const target = manifest.exports[subpath]?.default;
  assert.ok(target, `package.json exports no ${subpath}`);
  assert.match(target, /^\.\/dist\/[\w-]+\.js$/);
  return fileURLToPath(new URL(target.replace(/^\.\/dist\/(.*)\.js$/, 'src/$1.ts'), packageDir));
}

/** What importing the file loads: native shared objects, and modules of onnxruntime/sharp. */
async function loadedBy(file: string): Promise<{ exports: string[]; native: string[]; modules: string[] }> {
  const script = `
    const m = await import(${JSON.stringify(file)});
    const { createRequire } = await import('node:module');
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({
      exports: Object.keys(m),
      native: process.report.getReport().sharedObjects.filter((f) => f.endsWith('.node')),
      modules: cache.filter((f) => /onnxruntime|sharp|@img/.test(f)),
    }));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: fileURLToPath(packageDir),
    },
  );
  return JSON.parse(stdout) as { exports: string[]; native: string[]; modules: string[] };
}

for (const subpath of PURE_SUBPATHS) {
  test(`@captioner/model/${subpath.slice(2)} loads no native code`, async () => {
    const loaded = await loadedBy(await sourceOf(subpath));
    assert.ok(loaded.exports.length > 0, `${subpath} exports nothing`);
    assert.deepEqual(loaded.native, []);
    assert.deepEqual(loaded.modules, []);
  });
}

test('the root entry does load ONNX Runtime and sharp (the check above can fail)', async () => {
  const loaded = await loadedBy(await sourceOf('.'));
  assert.ok(
    loaded.native.some((f) => f.includes('onnxruntime')),
    JSON.stringify(loaded.native),
  );
  assert.ok(loaded.modules.some((f) => f.includes('onnxruntime-node')));
});
