// scripts/install.sh from the extracted release, into temp roots (--root): prerequisite failures
// say what is missing and how to fix it (probes pointed at fake commands and fake /sys, /proc,
// /boot trees), the laid-out files and units (systemd-analyze verify and security), and
// --uninstall leaving the root as it was (data kept unless --purge).
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { buildAndExtract, cleanEnv, run } from './helpers/release-rig.js';

const rel = await buildAndExtract(t);
const INSTALL = join(rel.dir, 'scripts', 'install.sh');
const scratch = mkdtempSync(join(tmpdir(), 'shoal-install-test-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
let seq = 0;
const tempDir = (name: string): string => mkdtempSync(join(scratch, `${name}-${++seq}-`));

/** A fake command: a shell script printing `out` and exiting `code`. */
function fake(dir: string, name: string, out: string, code = 0): string {
  const p = join(dir, name);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, `#!/bin/sh\ncat <<'EOF'\n${out}\nEOF\nexit ${code}\n`);
  chmodSync(p, 0o755);
  return p;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** A host whose every probe passes: Node 20, Docker answering, nft iptables, memory cgroup v2, NTP synced. */
function healthyHost(): Record<string, string> {
  const d = tempDir('host');
  writeTree(d, { 'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory pids\n', 'proc/cgroups': '', 'boot/.keep': '' });
  return {
    SHOAL_NODE: fake(d, 'bin/node', 'v20.19.2'),
    SHOAL_DOCKER: fake(d, 'bin/docker', '26.1.5'),
    SHOAL_IPTABLES: fake(d, 'bin/iptables', 'iptables v1.8.11 (nf_tables)'),
    SHOAL_TIMEDATECTL: fake(d, 'bin/timedatectl', 'yes'),
    SHOAL_SYSFS: join(d, 'sys'),
    SHOAL_PROCFS: join(d, 'proc'),
    SHOAL_BOOT: join(d, 'boot'),
    SHOAL_PID1: 'init',
  };
}

const install = (args: string[], env: Record<string, string> = {}) => run('bash', [INSTALL, ...args], { env: cleanEnv(env), timeoutMs: 120_000 });

/** Every path under root (relative), with a type mark: what "leaves the root as before" compares. */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      out.push(`${p.slice(root.length)}${st.isSymbolicLink() ? '@' : st.isDirectory() ? '/' : ''}`);
      if (st.isDirectory() && !st.isSymbolicLink()) walk(p);
    }
  };
  walk(root);
  return out;
}

const AGENT_JOIN = ['agent', 'join', '10.0.0.1:6443', '--token', 'abcdef.0123456789abcdef', '--ca-cert-hash', 'sha256:' + 'a'.repeat(64), '--node-ip', '10.0.0.21'];
const CP_INIT = ['control-plane', 'init', '--advertise-address', '10.0.0.11', '--name', 'cp1'];

t.test('install - --check passes on a healthy host', async (t) => {
  const r = await install(['--check', 'agent'], healthyHost());
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.match(r.stdout, /ok {4}Node\.js v20\.19\.2/);
  t.match(r.stdout, /ok {4}Docker engine 26\.1\.5 answers/);
  t.match(r.stdout, /ok {4}iptables: iptables v1\.8\.11 \(nf_tables\) \(back end nft\)/);
  t.match(r.stdout, /ok {4}memory cgroup enabled \(cgroup v2/);
  t.match(r.stdout, /ok {4}clock synchronised/);
  t.match(r.stdout, /prerequisites met/);
});

t.test('install - each missing prerequisite is named with its fix, and nothing is installed', async (t) => {
  const d = tempDir('broken');
  writeTree(d, {
    'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io pids\n',
    'proc/device-tree/model': 'Raspberry Pi 4 Model B Rev 1.4\0',
    'boot/firmware/cmdline.txt': 'console=serial0,115200 root=PARTUUID=1234-02 rootwait\n',
  });
  const env = {
    ...healthyHost(),
    SHOAL_NODE: fake(d, 'bin/node', 'v18.19.0'),
    SHOAL_DOCKER: fake(d, 'bin/docker', 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock', 1),
    SHOAL_IPTABLES: fake(d, 'bin/iptables', 'iptables v1.8.9 (nf_tables)'),
    SHOAL_TIMEDATECTL: fake(d, 'bin/timedatectl', 'no'),
    SHOAL_SYSFS: join(d, 'sys'),
    SHOAL_PROCFS: join(d, 'proc'),
    SHOAL_BOOT: join(d, 'boot'),
    SHOAL_MIN_FREE_MB: String(1024 * 1024 * 1024),
  };
  // The other back end has rules of its own (Docker's, say): a warning, not a failure.
  fake(d, 'bin/iptables-legacy-save', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DOCKER-USER\n-A FORWARD -j DOCKER\nCOMMIT');
  const root = tempDir('root');
  const r = await install(['--root', root, ...AGENT_JOIN], env);
  t.equal(r.code, 1, 'exit 1');
  t.match(r.stdout, /FAIL {2}Node\.js v18\.19\.0 is too old: Shoal needs Node\.js >= 20\.15\. Fix: /);
  t.match(r.stdout, /FAIL {2}Docker: the engine does not answer on its socket\. Fix: systemctl enable --now docker/);
  t.match(r.stdout, /warn {2}iptables: the host also has 2 rule\(s\) in the legacy back end, while iptables uses nft/);
  t.match(r.stdout, new RegExp(`FAIL {2}memory cgroup is off .*Raspberry Pi 4 Model B Rev 1\\.4\\. Fix: add to the end of the single line in ${join(d, 'boot/firmware/cmdline.txt')}: {2}cgroup_enable=memory cgroup_memory=1 {2}then reboot`));
  t.match(r.stdout, /FAIL {2}clock not synchronised: .* Fix: apt install systemd-timesyncd && timedatectl set-ntp true/);
  t.match(r.stdout, /FAIL {2}free disk: only \d+ MiB at .*; Shoal needs at least \d+ MiB there/);
  t.match(r.stdout, /== 5 prerequisite\(s\) missing: nothing was installed/);
  t.same(tree(root), [], 'the root is untouched');

  // cgroup v1 (no cgroup.controllers): /proc/cgroups says memory is disabled; not a Pi.
  const v1 = tempDir('v1');
  writeTree(v1, { 'sys/.keep': '', 'proc/cgroups': '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t1\t2\t1\nmemory\t0\t1\t0\n' });
  const r1 = await install(['--check', 'agent'], { ...healthyHost(), SHOAL_SYSFS: join(v1, 'sys'), SHOAL_PROCFS: join(v1, 'proc') });
  t.equal(r1.code, 1);
  t.match(r1.stdout, /FAIL {2}memory cgroup is off \(cgroup v1 .*\)\. Fix: add cgroup_enable=memory to the kernel command line/);
  // A Pi on an older image keeps cmdline.txt in /boot.
  const old = tempDir('pi-bullseye');
  writeTree(old, { 'sys/fs/cgroup/cgroup.controllers': 'cpu pids\n', 'sys/firmware/devicetree/base/model': 'Raspberry Pi 3 Model B Plus Rev 1.3\0', 'boot/cmdline.txt': 'root=/dev/mmcblk0p2\n', 'proc/.keep': '' });
  const r2 = await install(['--check', 'agent'], { ...healthyHost(), SHOAL_SYSFS: join(old, 'sys'), SHOAL_PROCFS: join(old, 'proc'), SHOAL_BOOT: join(old, 'boot') });
  t.match(r2.stdout, new RegExp(`in ${join(old, 'boot/cmdline.txt')}: {2}cgroup_enable=memory cgroup_memory=1`));
  // The bundle's own minimum (BUILD.json, from package.json engines) is the bar, minor included.
  const r4 = await install(['--check', 'control-plane'], { ...healthyHost(), SHOAL_NODE: fake(d, 'bin/node20-10', 'v20.10.0') });
  t.match(r4.stdout, /FAIL {2}Node\.js v20\.10\.0 is too old: Shoal needs Node\.js >= 20\.15/);
  const r5 = await install(['--check', 'control-plane'], { ...healthyHost(), SHOAL_NODE: fake(d, 'bin/node22', 'v22.1.0') });
  t.match(r5.stdout, /ok {4}Node\.js v22\.1\.0/);
  // A control plane does not need Docker or the memory cgroup.
  const r3 = await install(['--check', 'control-plane'], { ...env, SHOAL_NODE: healthyHost().SHOAL_NODE!, SHOAL_TIMEDATECTL: healthyHost().SHOAL_TIMEDATECTL!, SHOAL_MIN_FREE_MB: '1' });
  t.equal(r3.code, 0, r3.stdout);
  t.notMatch(r3.stdout, /Docker|memory cgroup/);
});

t.test('install - bad arguments are refused before anything is written', async (t) => {
  const root = tempDir('root');
  const env = healthyHost();
  const cases: [string[], RegExp][] = [
    [['agent', 'join', '10.0.0.1:6443', '--ca-cert-hash', 'sha256:00'], /agent join: --token is required/],
    [['agent', 'join', '--token', 'a.b'], /agent join: the first argument is the API server HOST:PORT/],
    [['agent', 'run'], /agent: expected 'join', got 'run'/],
    [['control-plane', 'init', '--name', 'x'], /--advertise-address IP is required/],
    [['control-plane', 'join', '10.0.0.11:6443', '--advertise-address', '10.0.0.12', '--token', 'a.b'], /control-plane join: --ca-cert-hash is required/],
  ];
  for (const [args, message] of cases) {
    const r = await install(['--root', root, ...args], env);
    t.not(r.code, 0, `${args.join(' ')} fails`);
    t.match(r.stderr, message, args.join(' '));
  }
  t.same(tree(root), [], 'nothing written');
});

t.test('install - control plane + agent into a temp root; units verify; uninstall restores the root; --purge removes data', async (t) => {
  const root = tempDir('root');
  // Something that was there before and must survive the uninstall.
  writeTree(root, { 'usr/local/bin/other-tool': '#!/bin/sh\n', 'etc/systemd/system/other.service': '[Service]\nExecStart=/bin/true\n' });
  const before = tree(root);
  const env = healthyHost();
  const cp = await install(['--root', root, ...CP_INIT], env);
  t.equal(cp.code, 0, cp.stdout + cp.stderr);
  t.match(cp.stdout, /installed under .*: nothing started/);
  const ag = await install(['--root', root, ...AGENT_JOIN], env);
  t.equal(ag.code, 0, ag.stdout + ag.stderr);

  const v = `/opt/shoal/${rel.version}`;
  t.equal(readlinkSync(join(root, 'opt/shoal/current')), rel.version, 'current -> the versioned dir');
  for (const p of ['shoal-control-plane', 'shoal-agent', 'shoalctl']) {
    t.equal(readlinkSync(join(root, 'usr/local/bin', p)), `/opt/shoal/current/bin/${p}`, `/usr/local/bin/${p}`);
    t.equal(statSync(join(root, v, 'bin', p)).mode & 0o777, 0o755, `${p} executable`);
  }
  t.equal(statSync(join(root, 'etc/shoal/agent.env')).mode & 0o777, 0o600, 'the env file holding the token is 0600');
  t.equal(statSync(join(root, 'var/lib/shoal/agent')).mode & 0o777, 0o700, 'data dir 0700');
  const agentEnv = readFileSync(join(root, 'etc/shoal/agent.env'), 'utf8');
  t.match(agentEnv, /SHOAL_AGENT_JOIN_ARGS="10\.0\.0\.1:6443 --data-dir \/var\/lib\/shoal\/agent --token abcdef\.0123456789abcdef --ca-cert-hash sha256:a+"/);
  t.match(agentEnv, /SHOAL_AGENT_ARGS="--data-dir \/var\/lib\/shoal\/agent --node-ip 10\.0\.0\.21"/);
  t.match(readFileSync(join(root, 'etc/shoal/control-plane.env'), 'utf8'), /SHOAL_CONTROL_PLANE_ARGS="init --advertise-address 10\.0\.0\.11 --name cp1 --data-dir \/var\/lib\/shoal\/control-plane --admin-config \/etc\/shoal\/admin\.conf"/);
  const agentUnit = readFileSync(join(root, 'etc/systemd/system/shoal-agent.service'), 'utf8');
  for (const line of ['After=network-online.target docker.service', 'Wants=network-online.target docker.service', 'Restart=always', 'ExecStart=/opt/shoal/current/bin/shoal-agent run $SHOAL_AGENT_ARGS', 'ProtectSystem=strict', 'PrivateTmp=yes', 'MemoryMax=']) {
    t.ok(agentUnit.includes(line), `agent unit: ${line}`);
  }
  t.match(agentUnit, /CapabilityBoundingSet=.*CAP_NET_ADMIN.*CAP_NET_RAW/, 'agent keeps what iptables and routes need');
  t.equal(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants/shoal-agent.service')), '/etc/systemd/system/shoal-agent.service', 'enabled');

  // systemd-analyze reads the units as they will be on the host: paths pointed into the temp root.
  const verifyDir = tempDir('units');
  for (const u of ['shoal-control-plane', 'shoal-agent']) {
    const text = readFileSync(join(root, 'etc/systemd/system', `${u}.service`), 'utf8').replace(/\/(opt|etc|var\/lib)\/shoal\//g, `${root}/$1/shoal/`);
    writeFileSync(join(verifyDir, `${u}.service`), text);
    const verify = await run('systemd-analyze', ['verify', join(verifyDir, `${u}.service`)], { env: process.env });
    t.equal(verify.code, 0, `systemd-analyze verify ${u}.service ${verify.stderr}`);
    t.equal(verify.stderr.trim(), '', `no complaints about ${u}.service`);
    const security = await run('systemd-analyze', ['security', '--offline=true', '--no-pager', join(verifyDir, `${u}.service`)], { env: process.env });
    const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(security.stdout)?.[1] ?? 'NaN');
    t.comment(`systemd-analyze security: ${u}.service exposure ${score} (0 = locked down, 10 = exposed)`);
    t.ok(score <= (u === 'shoal-agent' ? 4.5 : 3), `${u}.service is hardened (exposure ${score})`);
  }

  // Data written by the running services (not by the installer) is kept by --uninstall...
  writeTree(root, { 'var/lib/shoal/agent/agent.yaml': 'servers: []\n', 'var/lib/shoal/control-plane/store/wal': 'x', 'etc/shoal/admin.conf': 'servers: []\n' });
  const un = await install(['--root', root, '--uninstall']);
  t.equal(un.code, 0, un.stdout + un.stderr);
  t.match(un.stdout, /data kept in/);
  t.same(
    tree(root).filter((p) => !before.includes(p)).sort(),
    [
      '/etc/shoal/', '/etc/shoal/admin.conf', '/var/', '/var/lib/', '/var/lib/shoal/', '/var/lib/shoal/agent/', '/var/lib/shoal/agent/agent.yaml',
      '/var/lib/shoal/control-plane/', '/var/lib/shoal/control-plane/store/', '/var/lib/shoal/control-plane/store/wal', '/var/lib/shoal/install-manifest',
    ].sort(),
    'only the data, the admin config and the manifest of what is left remain',
  );
  t.same(before.filter((p) => !tree(root).includes(p)), [], 'what was there before is still there');

  // ...and removed by --uninstall --purge after a reinstall: the root is exactly as before.
  t.equal((await install(['--root', root, ...AGENT_JOIN], env)).code, 0, 'reinstall over kept data');
  const purge = await install(['--root', root, '--uninstall', '--purge']);
  t.equal(purge.code, 0, purge.stdout + purge.stderr);
  t.same(tree(root), before, 'after --purge the root is as before');
  const again = await install(['--root', root, '--uninstall']);
  t.not(again.code, 0, 'a second uninstall has nothing to do');
  t.match(again.stderr, /nothing to uninstall/);
});
