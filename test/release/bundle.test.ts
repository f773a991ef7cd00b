// The release tarball stands alone: built once, extracted where no node_modules can help it, its
// three programs print version + commit and help, and a dev-mode control plane started from it
// answers the bundle's own shoalctl (get nodes, members, version).
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import t from 'tap';
import { buildAndExtract, cleanEnv, nodeModulesAbove, readJson, run, startBundleControlPlane } from './helpers/release-rig.js';

const started = Date.now();
const rel = await buildAndExtract(t);
t.comment(`release built and extracted in ${Date.now() - started} ms: ${rel.tarball}`);
const head = (await run('git', ['rev-parse', 'HEAD'], { env: process.env })).stdout.trim();

t.test('release - layout: launchers, bundles, installer, unit templates, licenses, build info', async (t) => {
  t.match(rel.tarball, /shoal-\d+\.\d+\.\d+[^/]*\.tar\.gz$/, 'dist/shoal-<version>.tar.gz');
  t.equal(nodeModulesAbove(rel.dir), undefined, 'no node_modules anywhere above the extracted bundle');
  for (const p of ['shoal-control-plane', 'shoal-agent', 'shoalctl'] as const) {
    accessSync(rel.bin(p), constants.X_OK);
    t.match(readFileSync(rel.bin(p), 'utf8'), /^#!\/usr\/bin\/env node\n/, `bin/${p} is a node launcher`);
    t.ok(statSync(join(rel.dir, 'lib', `${p}.mjs`)).isFile(), `lib/${p}.mjs`);
  }
  for (const f of ['scripts/install.sh', 'scripts/systemd/shoal-control-plane.service.in', 'scripts/systemd/shoal-agent.service.in', 'LICENSE', 'README.md', 'THIRD-PARTY-LICENSES']) {
    t.ok(statSync(join(rel.dir, f)).isFile(), f);
  }
  t.match(readFileSync(join(rel.dir, 'THIRD-PARTY-LICENSES'), 'utf8'), /@grpc\/grpc-js@/, 'bundled packages carry their licenses');
  t.match(readJson(join(rel.dir, 'BUILD.json')), { version: rel.version, gitCommit: new RegExp(`^${head}(-dirty)?$`) }, 'BUILD.json names the version and the commit');
});

t.test('release - the bundles import only Node.js built-ins and their own chunks', async (t) => {
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const files = [...readdirSync(join(rel.dir, 'lib')).filter((f) => f.endsWith('.mjs')), ...readdirSync(join(rel.dir, 'lib', 'chunks')).map((f) => `chunks/${f}`)];
  const foreign = new Set<string>();
  for (const f of files) {
    const text = readFileSync(join(rel.dir, 'lib', f), 'utf8');
    for (const m of text.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[^'";]*?\bfrom\s*)?["']([^"']+)["']/g)) {
      const spec = m[1]!;
      if (!spec.startsWith('./') && !spec.startsWith('../') && !builtins.has(spec)) foreign.add(`${f}: ${spec}`);
    }
  }
  t.same([...foreign], [], 'no static import of a package (it would need node_modules on the target)');
});

t.test('release - --version, version and --help from the extracted bundle', async (t) => {
  const env = cleanEnv();
  const line = new RegExp(`${rel.version.replace(/\./g, '\\.')} \\(git commit ${head}(-dirty)?, node v\\d+\\.\\d+\\.\\d+, linux/\\w+\\)`);
  for (const p of ['shoal-agent', 'shoal-control-plane'] as const) {
    const v = await run(rel.bin(p), ['--version'], { env, cwd: rel.dir });
    t.equal(v.code, 0, `${p} --version exits 0 ${v.stderr}`);
    t.match(v.stdout, new RegExp(`^${p} `), `${p} --version names the program`);
    t.match(v.stdout, line, `${p} --version prints version and commit`);
    const h = await run(rel.bin(p), ['--help'], { env, cwd: rel.dir });
    t.equal(h.code, 0, `${p} --help exits 0 ${h.stderr}`);
    t.match(h.stdout, /usage: /, `${p} --help prints its usage`);
  }
  const v = await run(rel.bin('shoalctl'), ['version', '--client'], { env, cwd: rel.dir });
  t.equal(v.code, 0, `shoalctl version --client exits 0 ${v.stderr}`);
  t.match(v.stdout, new RegExp(`^Client Version: ${line.source}`), 'shoalctl version --client prints version and commit');
  const h = await run(rel.bin('shoalctl'), ['--help'], { env, cwd: rel.dir });
  t.equal(h.code, 0, 'shoalctl --help exits 0');
  t.match(h.stdout, /get/, 'shoalctl --help lists its commands');
});

t.test('release - shoal-agent facts reports this host as amd64/arm64/arm', async (t) => {
  const r = await run(rel.bin('shoal-agent'), ['facts', '--node-name', 'release-check'], { env: cleanEnv(), timeoutMs: 120_000 });
  t.equal(r.code, 0, `facts exits 0 ${r.stderr}`);
  const kube = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm' } as Record<string, string>)[process.arch] ?? process.arch;
  t.match(JSON.parse(r.stdout), {
    labels: { 'kubernetes.io/arch': kube, 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': 'release-check' },
    capacity: { cpu: /^\d+$/, memory: /^\d+Ki$/, pods: '110' },
    nodeInfo: { architecture: kube, operatingSystem: 'linux', kubeletVersion: `shoal-agent/${rel.version}` },
  });
});

t.test('release - a dev-mode control plane from the bundle answers the bundle shoalctl', async (t) => {
  const cp = await startBundleControlPlane(t, rel);
  const ctl = (args: string[]) => run(rel.bin('shoalctl'), ['--config', cp.configPath, ...args], { env: cleanEnv(), timeoutMs: 60_000 });
  const nodes = await ctl(['get', 'nodes']);
  t.equal(nodes.code, 0, `get nodes exits 0 ${nodes.stderr}`);
  t.match(nodes.stdout + nodes.stderr, /No resources found|NAME/, 'get nodes answers');
  const members = await ctl(['members']);
  t.equal(members.code, 0, `members exits 0 ${members.stderr}`);
  t.match(members.stdout, /m1/, 'members lists the one member');
  const version = await ctl(['version']);
  t.equal(version.code, 0, `version exits 0 ${version.stderr}`);
  t.match(version.stdout, new RegExp(`Server Version: ${rel.version.replace(/\./g, '\\.')} \\(git commit ${head}`), 'the server reports the baked-in version and commit');
});
