// npm run release [-- --out-dir DIR]: one self-contained tarball dist/shoal-<version>.tar.gz.
// The three programs are bundled by esbuild into plain ES modules (Node.js >= 20, any CPU: the
// same file for amd64, arm64 and armv7; nothing is built on the target). Layout:
//   shoal-<version>/bin/{shoal-control-plane,shoal-agent,shoalctl}   launchers (node shebang)
//   shoal-<version>/lib/*.mjs                                         the bundles and shared chunks
//   shoal-<version>/scripts/install.sh, scripts/systemd/*.service.in  installer and unit templates
//   shoal-<version>/LICENSE, README.md, THIRD-PARTY-LICENSES, BUILD.json
// Version (package.json) and git commit (+"-dirty" with uncommitted changes) are baked in through
// SHOAL_BUILD (client/build-info.ts). Dependencies with optional native parts are bundled without
// them: their loads sit in try/catch and fall back to JavaScript (ssh2's crypto binding and
// cpu-features are marked external and never shipped).
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Programs: launcher name → what its entry module runs (bin/*.js do the same from source). */
const PROGRAMS = {
  'shoal-control-plane': "import './control-plane/main.ts';",
  'shoal-agent': "import { main } from './node-agent/main.ts';\nawait main(process.argv.slice(2));",
  shoalctl: "import './cli/main.ts';",
} as const;

/** Native or platform-only optional parts that the bundle never contains (loaded in try/catch upstream). */
const EXTERNAL = ['cpu-features', '*.node', 'osx-temperature-sensor', 'pino-pretty'];

// CommonJS dependencies inside an ES module bundle need require/__filename/__dirname.
const BANNER = [
  "import { createRequire as __shoalCreateRequire } from 'node:module';",
  "import { fileURLToPath as __shoalFileURLToPath } from 'node:url';",
  "import { dirname as __shoalDirname } from 'node:path';",
  'const require = __shoalCreateRequire(import.meta.url);',
  'const __filename = __shoalFileURLToPath(import.meta.url);',
  'const __dirname = __shoalDirname(__filename);',
].join('\n');

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

function gitCommit(): string {
  const head = git(['rev-parse', 'HEAD']);
  if (head === undefined) return 'unknown';
  const dirty = (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '';
  return dirty ? `${head}-dirty` : head;
}

function launcher(program: string, minNode: string): string {
  const [major = 20, minor = 0] = minNode.split('.').map(Number);
  return `#!/usr/bin/env node
// ${program}: checks the Node.js version, then runs the bundle (../lib/${program}.mjs, found
// through this file's real path, so a symlink in /usr/local/bin works).
'use strict';
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < ${major} || (major === ${major} && minor < ${minor})) {
  process.stderr.write('${program} needs Node.js >= ${minNode}; this is ' + process.version + ' (' + process.execPath + '). ' +
    'On Debian 13 / Raspberry Pi OS 13: apt install nodejs; elsewhere install Node.js 20 or newer.\\n');
  process.exit(1);
}
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
import(pathToFileURL(join(__dirname, '..', 'lib', '${program}.mjs')).href).catch((e) => {
  process.stderr.write('${program}: ' + (e && e.stack ? e.stack : String(e)) + '\\n');
  process.exit(1);
});
`;
}

/** License texts of every package the bundles contain, from esbuild's list of inputs. */
function thirdPartyLicenses(inputs: string[]): string {
  const packages = new Map<string, string>();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.set(m[1]!, m[1]!);
  }
  const parts: string[] = [];
  for (const dir of [...packages.keys()].sort()) {
    const abs = join(ROOT, dir);
    const pkg = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8')) as { name: string; version: string; license?: unknown };
    const file = readdirSync(abs).find((f) => /^(licen[cs]e|copying)(\..*)?$/i.test(f));
    const text = file === undefined ? `(no license file; package.json says ${JSON.stringify(pkg.license ?? 'nothing')})` : readFileSync(join(abs, file), 'utf8').trim();
    parts.push(`${pkg.name}@${pkg.version}\n${'-'.repeat(60)}\n${text}\n`);
  }
  return parts.join('\n');
}

/** Resolves `entry:<program>` to PROGRAMS' source text, as if it were a file at the repo root. */
const entryPlugin: Plugin = {
  name: 'shoal-entries',
  setup(b) {
    b.onResolve({ filter: /^entry:/ }, (a) => ({ path: a.path.slice('entry:'.length), namespace: 'shoal-entry' }));
    b.onLoad({ filter: /.*/, namespace: 'shoal-entry' }, (a) => ({ contents: PROGRAMS[a.path as keyof typeof PROGRAMS], resolveDir: ROOT, loader: 'ts' }));
  },
};

export interface ReleaseResult {
  readonly tarball: string;
  readonly version: string;
  readonly gitCommit: string;
}

export async function release(outDir: string): Promise<ReleaseResult> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; engines?: { node?: string } };
  const minNode = /(\d+(?:\.\d+)?)/.exec(pkg.engines?.node ?? '')?.[1] ?? '20';
  const info = { version: pkg.version, gitCommit: gitCommit() };
  const name = `shoal-${info.version}`;
  const stage = mkdtempSync(join(tmpdir(), 'shoal-release-'));
  try {
    const top = join(stage, name);
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: Object.keys(PROGRAMS).map((out) => ({ out, in: `entry:${out}` })),
      plugins: [entryPlugin],
      outdir: join(top, 'lib'),
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      format: 'esm',
      platform: 'node',
      target: `node${minNode}`,
      external: EXTERNAL,
      define: { SHOAL_BUILD: JSON.stringify(info) },
      banner: { js: BANNER },
      legalComments: 'none',
      minifySyntax: true,
      minifyWhitespace: true,
      metafile: true,
      logLevel: 'error',
    });
    mkdirSync(join(top, 'bin'));
    for (const program of Object.keys(PROGRAMS)) {
      const file = join(top, 'bin', program);
      writeFileSync(file, launcher(program, minNode));
      chmodSync(file, 0o755);
    }
    mkdirSync(join(top, 'scripts'));
    cpSync(join(ROOT, 'scripts', 'install.sh'), join(top, 'scripts', 'install.sh'));
    chmodSync(join(top, 'scripts', 'install.sh'), 0o755);
    cpSync(join(ROOT, 'scripts', 'systemd'), join(top, 'scripts', 'systemd'), { recursive: true });
    for (const f of ['LICENSE', 'README.md']) cpSync(join(ROOT, f), join(top, f));
    writeFileSync(join(top, 'THIRD-PARTY-LICENSES'), thirdPartyLicenses(Object.keys(result.metafile.inputs)));
    writeFileSync(join(top, 'BUILD.json'), `${JSON.stringify({ ...info, node: `>=${minNode}`, programs: Object.keys(PROGRAMS) }, null, 2)}\n`);
    mkdirSync(outDir, { recursive: true });
    const tarball = join(outDir, `${name}.tar.gz`);
    // Owned by root in the archive, sorted, so the tarball does not depend on who built it.
    execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-czf', tarball, '-C', stage, name], { stdio: ['ignore', 'ignore', 'inherit'] });
    return { tarball, ...info };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
  const outDir = resolve(values['out-dir'] ?? join(ROOT, 'dist'));
  const r = await release(outDir);
  process.stdout.write(`${relative(process.cwd(), r.tarball) || basename(r.tarball)}  (shoal ${r.version}, commit ${r.gitCommit})\n`);
}
