// The node-loss timing flags (Kubernetes' names): --node-monitor-grace-period and
// --node-monitor-period reach the node lifecycle controller's options, and
// --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds the
// DefaultTolerationSeconds admission plugin, in dev mode (shoal-control-plane argv) and through
// init/join (parsed, recorded in the state file, read back as argv); bad values name the flag.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadApiConfig } from '../../control-plane/apiserver/config.js';
import { formatFlagDuration, NODE_LIFECYCLE_DEFAULTS, parseFlagDuration, parseNodeLifecycleFlags } from '../../control-plane/apiserver/node-lifecycle-flags.js';
import { ALL_FEATURES, controlPlaneFlags, dataDirLayout, expandConfigFile, flagArgs, foundingCluster, parseInitOptions, parseJoinOptions, writeStateFile } from '../../control-plane/bootstrap/index.js';
import { controllerManagerConfig, loadControlLoopsSettings } from '../../control-plane/control-loops.js';
import { LAUNCHER, run } from '../store/helpers/store-cluster.js';

const API = ['--api-listen-address=127.0.0.1:6443', '--control-loops=true'];
const SHORT = { nodeMonitorGracePeriodMs: 20_000, nodeMonitorPeriodMs: 2_000, defaultNotReadyTolerationSeconds: 10, defaultUnreachableTolerationSeconds: 10 };
const SHORT_ARGV = ['--node-monitor-grace-period', '20s', '--node-monitor-period=2s', '--default-not-ready-toleration-seconds', '10', '--default-unreachable-toleration-seconds=10'];

t.test('node lifecycle flags - durations as Kubernetes writes them', async (t) => {
  const cases: [string, number][] = [['40s', 40_000], ['5s', 5_000], ['500ms', 500], ['1m30s', 90_000], ['1h', 3_600_000], ['1.5s', 1_500], ['2m0s', 120_000]];
  for (const [text, ms] of cases) t.equal(parseFlagDuration('f', text), ms, text);
  for (const ms of [40_000, 5_000, 500, 90_000, 3_600_000, 1_500, 3_661_000]) t.equal(parseFlagDuration('f', formatFlagDuration(ms)), ms, `${formatFlagDuration(ms)} round trips`);
  t.equal(formatFlagDuration(90_000), '1m30s');
  for (const bad of ['40', '', 's', '10x', '-5s', '5s ms', '1d']) t.throws(() => parseFlagDuration('node-monitor-period', bad), { name: 'ConfigError', message: /^--node-monitor-period: ".*" is not a duration/ }, JSON.stringify(bad));
});

t.test('node lifecycle flags - defaults, values and errors naming the flag', async (t) => {
  t.same(parseNodeLifecycleFlags(new Map()), NODE_LIFECYCLE_DEFAULTS);
  t.same(NODE_LIFECYCLE_DEFAULTS, { nodeMonitorGracePeriodMs: 40_000, nodeMonitorPeriodMs: 5_000, defaultNotReadyTolerationSeconds: 300, defaultUnreachableTolerationSeconds: 300 }, "Kubernetes' defaults");
  const m = new Map([['node-monitor-grace-period', '20s'], ['node-monitor-period', '2s'], ['default-not-ready-toleration-seconds', '10'], ['default-unreachable-toleration-seconds', '10']]);
  t.same(parseNodeLifecycleFlags(m), SHORT);
  t.equal(parseNodeLifecycleFlags(new Map([['default-unreachable-toleration-seconds', '0']])).defaultUnreachableTolerationSeconds, 0, '0 = evict at once');
  const bad: [string, string, RegExp][] = [
    ['node-monitor-grace-period', '0s', /^--node-monitor-grace-period: must be more than 0/],
    ['node-monitor-grace-period', 'soon', /^--node-monitor-grace-period: "soon" is not a duration/],
    ['node-monitor-period', '0ms', /^--node-monitor-period: must be more than 0/],
    ['node-monitor-period', '1m', /^--node-monitor-period \(1m0s\) must not exceed --node-monitor-grace-period \(40s\)/],
    ['default-not-ready-toleration-seconds', '-1', /^--default-not-ready-toleration-seconds: "-1" is not a whole number of seconds >= 0/],
    ['default-unreachable-toleration-seconds', '10s', /^--default-unreachable-toleration-seconds: "10s" is not a whole number/],
  ];
  for (const [flag, value, want] of bad) t.throws(() => parseNodeLifecycleFlags(new Map([[flag, value]])), { name: 'ConfigError', message: want }, `${flag} ${value}`);
});

t.test('node lifecycle flags - dev mode: argv → API config → controller manager and admission options', async (t) => {
  const { api, storeArgv } = loadApiConfig([...API, ...SHORT_ARGV, '--name', 'm1']);
  t.same(storeArgv, ['--name', 'm1'], 'the store parser never sees them');
  t.same(api?.nodeLifecycle, SHORT);
  t.same(loadApiConfig(API).api?.nodeLifecycle, NODE_LIFECYCLE_DEFAULTS, 'absent: defaults');
  const settings = await loadControlLoopsSettings(api!);
  t.same(controllerManagerConfig(settings, 'id').nodeLifecycle, { gracePeriodMs: 20_000, monitorPeriodMs: 2_000 }, "the node lifecycle controller's options");
  t.equal(controllerManagerConfig({ ...settings, nodeLifecycle: undefined }, 'id').nodeLifecycle, undefined, 'no settings: the controller keeps its defaults');
  t.throws(() => loadApiConfig(['--default-unreachable-toleration-seconds', '10']), /--default-unreachable-toleration-seconds needs --api-listen-address/);
  t.throws(() => loadApiConfig(['--api-listen-address=127.0.0.1:6443', '--node-monitor-grace-period', '20s']), /--node-monitor-grace-period needs --control-loops=true/);
  t.equal(loadApiConfig(['--api-listen-address=127.0.0.1:6443', '--default-not-ready-toleration-seconds', '5']).api?.nodeLifecycle.defaultNotReadyTolerationSeconds, 5, 'toleration defaults are the API server\'s: no control loops needed');
  t.throws(() => loadApiConfig([...API, '--node-monitor-period', 'often']), { name: 'ConfigError', message: /--node-monitor-period: "often" is not a duration/ });
});

t.test('node lifecycle flags - init and join record them in the state file, which runs with them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-nl-flags-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const base = ['--data-dir', dir, '--name', 'cp1', '--advertise-address', '10.0.0.1'];
  const o = parseInitOptions([...base, ...SHORT_ARGV], '/h');
  t.same(o.nodeLifecycle, SHORT, 'init takes them');
  const flags = controlPlaneFlags(o, dataDirLayout(dir), foundingCluster(o), ALL_FEATURES);
  t.match(flags, { 'node-monitor-grace-period': '20s', 'node-monitor-period': '2s', 'default-not-ready-toleration-seconds': '10', 'default-unreachable-toleration-seconds': '10' }, 'recorded');
  const file = join(dir, 'control-plane.yaml');
  await writeStateFile(file, flags);
  const argv = await expandConfigFile(['--config-file', file]);
  t.same(loadApiConfig(argv, () => true).api?.nodeLifecycle, SHORT, 'a restart from the state file runs with them');
  const later = await expandConfigFile(['--config-file', file, '--node-monitor-grace-period=30s']);
  t.equal(loadApiConfig(later, () => true).api?.nodeLifecycle.nodeMonitorGracePeriodMs, 30_000, 'the command line overrides the file');
  t.same(parseInitOptions(base, '/h').nodeLifecycle, NODE_LIFECYCLE_DEFAULTS, 'init without them: defaults, recorded too');
  t.equal(controlPlaneFlags(parseInitOptions(base, '/h'), dataDirLayout(dir), foundingCluster(o), ALL_FEATURES)['node-monitor-grace-period'], '40s');
  const none = controlPlaneFlags(o, dataDirLayout(dir), foundingCluster(o), { apiSecurity: false, controlLoops: false });
  t.notOk('node-monitor-grace-period' in none, 'no control loops in this build: no controller flags');
  t.equal(none['default-unreachable-toleration-seconds'], '10', "the API server's flags stay");
  t.same(loadApiConfig(flagArgs(none).filter((a) => a.startsWith('--api-') || a.startsWith('--default-'))).api?.nodeLifecycle.defaultUnreachableTolerationSeconds, 10);

  const join_ = ['10.0.0.1:6443', '--token', 'abcdef.0123456789abcdef', '--ca-cert-hash', `sha256:${'ab'.repeat(32)}`, '--certificate-key', 'cd'.repeat(32), ...base];
  t.same(parseJoinOptions([...join_, ...SHORT_ARGV], '/h').nodeLifecycle, SHORT, 'join takes them');
  for (const [argv, want] of [
    [[...base, '--node-monitor-grace-period', '40'], /--node-monitor-grace-period: "40" is not a duration/],
    [[...base, '--default-not-ready-toleration-seconds', 'x'], /--default-not-ready-toleration-seconds: "x" is not a whole number/],
    [[...base, '--node-monitor-period', '1m'], /--node-monitor-period \(1m0s\) must not exceed --node-monitor-grace-period/],
  ] as const) t.throws(() => parseInitOptions(argv, '/h'), { name: 'BootstrapError', code: 'bad-flags', message: want });
  t.throws(() => parseJoinOptions([...join_, '--default-unreachable-toleration-seconds', '-3'], '/h'), { code: 'bad-flags', message: /--default-unreachable-toleration-seconds/ });
});

t.test('node lifecycle flags - shoal-control-plane refuses a bad value (exit 2, flag named)', async (t) => {
  const r = await run(process.execPath, [LAUNCHER, '--api-listen-address', '127.0.0.1:0', '--control-loops=true', '--node-monitor-grace-period', 'ten']);
  t.equal(r.code, 2);
  t.match(r.stderr, /--node-monitor-grace-period: "ten" is not a duration/);
  const s = await run(process.execPath, [LAUNCHER, 'init', '--data-dir', '/nonexistent/x', '--name', 'a', '--advertise-address', '127.0.0.1', '--default-unreachable-toleration-seconds', '1.5']);
  t.equal(s.code, 2, 'init too, before anything is written');
  t.match(s.stderr, /--default-unreachable-toleration-seconds: "1.5" is not a whole number/);
});
