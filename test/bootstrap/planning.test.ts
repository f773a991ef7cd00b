// bootstrap - the pure parts of init/join: flag parsing, the planned flag set (etcd names and
// contract C1's), SANs, the state file and --config-file, the sealed certificate bundle, the CA
// pin, the published objects and the join lines.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALL_FEATURES,
  certsReaderBinding,
  certsReaderRole,
  certsSecret,
  clusterInfo,
  clusterInfoServers,
  clusterMembers,
  controlPlaneFlags,
  dataDirLayout,
  expandConfigFile,
  flagArgs,
  foundingCluster,
  generateCertificateKey,
  allSans,
  initBootstrapToken,
  joinLines,
  openBundle,
  parseFlagsYaml,
  parseInitOptions,
  parseJoinOptions,
  renderStateFile,
  sealBundle,
  sealedOf,
  verifiedClusterInfo,
  withServer,
} from '../../control-plane/bootstrap/index.js';
import type { CertificateBundle, Features, HostOptions } from '../../control-plane/bootstrap/index.js';
import { loadConfig } from '../../control-plane/store/config.js';
import { caCertHash } from '../../control-plane/pki/index.js';
import { createTestPki } from '../support/pki.js';
import { registry as kindRegistry } from '../../api/index.js';

const base = ['--data-dir', '/var/lib/shoal', '--name', 'cp1', '--advertise-address', '10.0.0.1'];
const TOKEN = 'abcdef.0123456789abcdef';
const HASH = `sha256:${'ab'.repeat(32)}`;
const KEY = 'cd'.repeat(32);

t.test('bootstrap - init flags: defaults and errors', async (t) => {
  const o = parseInitOptions(base, '/home/op');
  t.same(o, { dataDir: '/var/lib/shoal', name: 'cp1', advertiseAddress: '10.0.0.1', listenAddress: '10.0.0.1', ports: { client: 2379, peer: 2380, api: 6443, apiHttp: 6444 }, adminConfig: '/home/op/.shoal/config', serviceClusterIpRange: '10.96.0.0/12', serviceNodePortRange: '30000-32767', nodeIpam: { allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24 }, nodeLifecycle: { nodeMonitorGracePeriodMs: 40_000, nodeMonitorPeriodMs: 5_000, defaultNotReadyTolerationSeconds: 300, defaultUnreachableTolerationSeconds: 300 } });
  const pods = parseInitOptions([...base, '--cluster-cidr', '10.100.0.0/16', '--node-cidr-mask-size=26'], '/h');
  t.same(pods.nodeIpam, { allocateNodeCIDRs: true, clusterCIDR: '10.100.0.0/16', nodeCIDRMaskSize: 26 }, 'node IPAM flags on init');
  t.throws(() => parseInitOptions([...base, '--cluster-cidr', 'x'], '/h'), /--cluster-cidr: "x" is not an IPv4 CIDR/);
  const ranged = parseInitOptions([...base, '--service-cluster-ip-range', '10.100.0.0/16', '--service-node-port-range=31000-31999'], '/h');
  t.same([ranged.serviceClusterIpRange, ranged.serviceNodePortRange], ['10.100.0.0/16', '31000-31999'], 'service ranges');
  t.equal(parseInitOptions([...base, '--listen-address=0.0.0.0', '--api-port', '7443'], '/h').ports.api, 7443);
  const bad: [string[], RegExp][] = [
    [['--name', 'cp1', '--advertise-address', '10.0.0.1'], /--data-dir is required/],
    [[...base.slice(0, 4)], /--advertise-address is required/],
    [[...base.slice(0, 4), '--advertise-address', 'host.example'], /must be an IP address/],
    [[...base, '--api-port', '2379'], /ports are both 2379/],
    [[...base, '--client-port', '70000'], /must be a port/],
    [[...base, '--nope', 'x'], /unknown flag --nope/],
    [[...base, 'extra'], /unexpected argument "extra"/],
    [['--data-dir', 'd', '--name', 'Bad_Name', '--advertise-address', '10.0.0.1'], /must be a DNS name/],
    [[...base, '--service-cluster-ip-range', '10.96.0.1/12'], /--service-cluster-ip-range: "10.96.0.1\/12" has host bits set/],
    [[...base, '--service-node-port-range', '30000'], /--service-node-port-range: "30000" is not MIN-MAX/],
  ];
  for (const [argv, msg] of bad) t.throws(() => parseInitOptions(argv, '/h'), msg, argv.join(' '));
  t.throws(() => parseInitOptions(base, undefined), /--admin-config/, 'no home folder: asks for --admin-config');
});

t.test('bootstrap - join flags: secrets are checked and never echoed', async (t) => {
  const o = parseJoinOptions(['10.0.0.1:6443', '--token', TOKEN, '--ca-cert-hash', HASH.toUpperCase().replace('SHA256', 'sha256'), '--certificate-key', KEY, ...base.slice(0, 4), '--advertise-address', '10.0.0.2'], '/h');
  t.equal(o.server, '10.0.0.1:6443');
  t.equal(o.caCertHash, HASH, 'hash lower-cased');
  const secretish = 'zzzzzz.SECRETSECRETSECR';
  const err = t.throws(() => parseJoinOptions(['10.0.0.1:6443', '--token', secretish, '--ca-cert-hash', HASH, '--certificate-key', KEY, ...base], '/h')) as Error;
  t.notMatch(err.message, /SECRET/, 'the bad token is not echoed');
  t.throws(() => parseJoinOptions(['--token', TOKEN, '--ca-cert-hash', HASH, '--certificate-key', KEY, ...base], '/h'), /exactly one HOST:PORT/);
  t.throws(() => parseJoinOptions(['10.0.0.1:6443', '--token', TOKEN, '--ca-cert-hash', 'md5:x', '--certificate-key', KEY, ...base], '/h'), /--ca-cert-hash must be/);
  t.throws(() => parseJoinOptions(['10.0.0.1:6443', '--token', TOKEN, '--ca-cert-hash', HASH, '--certificate-key', 'abc', ...base], '/h'), /--certificate-key must be 64 hex/);
});

t.test('bootstrap - SANs: name, advertise and listen addresses, localhost', async (t) => {
  t.same(allSans({ name: 'cp1', advertiseAddress: '10.0.0.1', listenAddress: '0.0.0.0' }), { dnsNames: ['cp1', 'localhost'], ipAddresses: ['10.0.0.1', '127.0.0.1'] });
  t.same(allSans({ name: 'cp1', advertiseAddress: '203.0.113.5', listenAddress: '10.0.0.1' }).ipAddresses, ['203.0.113.5', '10.0.0.1', '127.0.0.1']);
  t.same(allSans({ name: 'cp1', advertiseAddress: '127.0.0.1', listenAddress: '127.0.0.1' }).ipAddresses, ['127.0.0.1'], 'no duplicates');
});

const host = (over: Partial<HostOptions> = {}): HostOptions => ({ ...parseInitOptions(base, '/h'), ...over });

t.test('bootstrap - flag set: TLS everywhere with etcd and C1 names', async (t) => {
  const o = host();
  const d = dataDirLayout(o.dataDir);
  const f = controlPlaneFlags(o, d, foundingCluster(o), ALL_FEATURES);
  t.same(f, {
    name: 'cp1',
    'data-dir': '/var/lib/shoal/store',
    'listen-client-urls': 'https://10.0.0.1:2379,https://127.0.0.1:2379',
    'advertise-client-urls': 'https://10.0.0.1:2379',
    'listen-peer-urls': 'https://10.0.0.1:2380',
    'initial-advertise-peer-urls': 'https://10.0.0.1:2380',
    'initial-cluster': 'cp1=https://10.0.0.1:2380',
    'initial-cluster-state': 'new',
    'initial-cluster-token': 'shoal',
    'peer-cert-file': '/var/lib/shoal/pki/store-peer.crt',
    'peer-key-file': '/var/lib/shoal/pki/store-peer.key',
    'peer-trusted-ca-file': '/var/lib/shoal/pki/ca.crt',
    'peer-client-cert-auth': true,
    'cert-file': '/var/lib/shoal/pki/store-server.crt',
    'key-file': '/var/lib/shoal/pki/store-server.key',
    'trusted-ca-file': '/var/lib/shoal/pki/ca.crt',
    'client-cert-auth': true,
    'api-listen-address': '10.0.0.1:6443',
    'api-http-listen-address': '10.0.0.1:6444',
    'api-store-endpoints': 'https://10.0.0.1:2379',
    'service-cluster-ip-range': '10.96.0.0/12',
    'service-node-port-range': '30000-32767',
    'default-not-ready-toleration-seconds': '300',
    'default-unreachable-toleration-seconds': '300',
    'api-tls-cert-file': '/var/lib/shoal/pki/apiserver.crt',
    'api-tls-private-key-file': '/var/lib/shoal/pki/apiserver.key',
    'api-client-ca-file': '/var/lib/shoal/pki/ca.crt',
    'api-authorization-mode': 'Node,RBAC',
    'api-anonymous-admin': false,
    'api-service-account-key-file': '/var/lib/shoal/pki/sa.pub',
    'api-service-account-issuer': 'shoal',
    'api-encryption-provider-config': '/var/lib/shoal/encryption-config.yaml',
    'api-audit-log-path': '/var/lib/shoal/audit/audit.log',
    'api-audit-log-maxsize': '100',
    'api-audit-log-maxbackup': '3',
    'api-store-cafile': '/var/lib/shoal/pki/ca.crt',
    'api-store-certfile': '/var/lib/shoal/pki/apiserver-store-client.crt',
    'api-store-keyfile': '/var/lib/shoal/pki/apiserver-store-client.key',
    'api-cluster-signing-cert-file': '/var/lib/shoal/pki/ca.crt',
    'api-cluster-signing-key-file': '/var/lib/shoal/pki/ca.key',
    'control-loops': true,
    'scheduler-config': '/var/lib/shoal/scheduler.conf',
    'controller-manager-config': '/var/lib/shoal/controller-manager.conf',
    'service-account-private-key-file': '/var/lib/shoal/pki/sa.key',
    'allocate-node-cidrs': true,
    'cluster-cidr': '10.244.0.0/16',
    'node-cidr-mask-size': '24',
    'node-monitor-grace-period': '40s',
    'node-monitor-period': '5s',
  });
  t.ok(flagArgs(f).includes('--client-cert-auth=true'));
});

t.test('bootstrap - flag set of a joining host: existing cluster, every member, local store first', async (t) => {
  const o = host({ name: 'cp2', advertiseAddress: '10.0.0.2', listenAddress: '0.0.0.0' });
  const f = controlPlaneFlags(
    o,
    dataDirLayout(o.dataDir),
    { state: 'existing', members: [{ name: 'cp1', peerUrls: ['https://10.0.0.1:2380'] }, { name: 'cp2', peerUrls: ['https://10.0.0.2:2380'] }], otherClientUrls: ['https://10.0.0.1:2379', 'https://10.0.0.2:2379'] },
    ALL_FEATURES,
  );
  t.equal(f['initial-cluster'], 'cp1=https://10.0.0.1:2380,cp2=https://10.0.0.2:2380');
  t.equal(f['initial-cluster-state'], 'existing');
  t.equal(f['listen-client-urls'], 'https://0.0.0.0:2379', 'a wildcard listener covers loopback');
  t.equal(f['api-store-endpoints'], 'https://10.0.0.2:2379,https://10.0.0.1:2379');
});

t.test('bootstrap - flag set without the C1 flags (a build whose API server has no TLS yet)', async (t) => {
  const o = host();
  const none: Features = { apiSecurity: false, controlLoops: false };
  const f = controlPlaneFlags(o, dataDirLayout(o.dataDir), foundingCluster(o), none);
  t.equal(f['listen-client-urls'], 'http://10.0.0.1:2379,http://127.0.0.1:2379');
  t.equal(f['peer-client-cert-auth'], true, 'the peer port is mTLS anyway');
  t.notOk(Object.keys(f).some((k) => k.startsWith('api-tls') || k === 'client-cert-auth' || k === 'control-loops'));
});

t.test('bootstrap - state file round trip; --config-file feeds the store parser; the command line wins', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bootstrap-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const o = host({ dataDir: dir, advertiseAddress: '127.0.0.1', listenAddress: '127.0.0.1' });
  const none: Features = { apiSecurity: false, controlLoops: false };
  const flags = controlPlaneFlags(o, dataDirLayout(dir), foundingCluster(o), none);
  const text = renderStateFile(flags);
  t.same(parseFlagsYaml(text, 'f'), flags, 'round trip');
  const file = join(dir, 'control-plane.yaml');
  writeFileSync(file, text);
  const argv = await expandConfigFile(['--config-file', file, '--name=override']);
  t.equal(argv.at(-1), '--name=override');
  const peerless = argv.filter((a) => !a.startsWith('--peer-') && !a.startsWith('--api-') && !a.startsWith('--service-') && !a.startsWith('--default-') && !a.includes('https'));
  const cfg = loadConfig([...peerless, '--listen-peer-urls=http://127.0.0.1:2380', '--initial-cluster=override=http://127.0.0.1:2380']);
  t.equal(cfg.name, 'override', 'the command line overrides the file');
  t.equal(cfg.initialClusterToken, 'shoal');
  t.throws(() => parseFlagsYaml('- a\n- b\n', 'f'), /mapping of flag names/);
  t.throws(() => parseFlagsYaml('"--bad": 1\n', 'f'), /not a flag name/);
  await t.rejects(expandConfigFile(['--config-file', join(dir, 'missing.yaml')]), /cannot read it/);
});

t.test('bootstrap - sealed certificate bundle: opens only with its key', async (t) => {
  const b: CertificateBundle = { caCert: 'C', caKey: 'K', serviceAccountKey: 'S', serviceAccountPublicKey: 'P', encryptionConfig: 'E', storeClientUrls: ['https://10.0.0.1:2379'] };
  const key = generateCertificateKey((n) => randomBytes(n));
  t.match(key, /^[0-9a-f]{64}$/);
  const sealed = sealBundle(b, key, (n) => randomBytes(n));
  t.notOk(sealed.toString('latin1').includes('"caKey"'), 'the key material is not in clear');
  const secret = certsSecret(sealed);
  t.same(openBundle(sealedOf(secret), key), b);
  t.throws(() => openBundle(sealed, 'f'.repeat(64)), { name: 'BootstrapError', code: 'bad-certificate-key' });
  const tampered = Buffer.from(sealed);
  tampered[20] = tampered[20]! ^ 1;
  t.throws(() => openBundle(tampered, key), { name: 'BootstrapError', code: 'bad-certificate-key' }, 'tampering is detected');
});

t.test('bootstrap - discovery pins the CA by hash', async (t) => {
  const pki = await createTestPki(t);
  const other = await createTestPki(t, 'other');
  const cm = clusterInfo(pki.ca.certPem, ['10.0.0.1:6443', '10.0.0.2:6443']) as unknown as { data: Record<string, string> };
  t.same(verifiedClusterInfo(cm, caCertHash(pki.ca.certPem)), { caCert: pki.ca.certPem, servers: ['10.0.0.1:6443', '10.0.0.2:6443'] });
  t.throws(() => verifiedClusterInfo(cm, caCertHash(other.ca.certPem)), { name: 'BootstrapError', code: 'ca-hash-mismatch' });
  t.throws(() => verifiedClusterInfo({ data: {} }, caCertHash(pki.ca.certPem)), { name: 'BootstrapError', code: 'discovery-failed' });
});

t.test('bootstrap - published objects are valid kinds; join lines follow C3', async (t) => {
  const now = new Date('2026-12-04T10:00:00.500Z');
  const objects = [
    clusterInfo('PEM', ['10.0.0.1:6443']),
    certsReaderRole(),
    certsReaderBinding(),
    initBootstrapToken(TOKEN, now),
    certsSecret(Buffer.from('x')) as never,
  ];
  for (const o of objects) {
    const kind = kindRegistry.byKind(o.apiVersion, o.kind);
    t.ok(kind, `${o.kind} is a kind`);
    const v = kind!.validate(o);
    t.ok(v.ok, `${o.kind} ${o.metadata.name} validates: ${JSON.stringify(v.ok ? '' : v.errors)}`);
  }
  const tok = initBootstrapToken(TOKEN, now) as unknown as { data: Record<string, string> };
  t.equal(Buffer.from(tok.data['expiration']!, 'base64').toString(), '2026-12-05T10:00:00Z', '24 h TTL, RFC 3339');
  t.equal(Buffer.from(tok.data['auth-extra-groups']!, 'base64').toString(), 'system:bootstrappers:shoal:default-node-token');
  const role = certsReaderRole() as unknown as { rules: { resourceNames: string[]; verbs: string[] }[] };
  t.same(role.rules, [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['shoal-control-plane-certs'], verbs: ['get'] }], 'bootstrappers may get that one Secret only');
  const lines = joinLines('10.0.0.1:6443', TOKEN, HASH, KEY);
  t.equal(lines.worker, `shoal-agent join 10.0.0.1:6443 --token ${TOKEN} --ca-cert-hash ${HASH}`);
  t.match(lines.controlPlane, new RegExp(`^shoal-control-plane join 10.0.0.1:6443 --token ${TOKEN} --ca-cert-hash ${HASH} --certificate-key ${KEY}`));
  t.same(withServer(clusterInfoServers({ data: { servers: 'a:1, b:2' } }), 'c:3'), ['a:1', 'b:2', 'c:3']);
  t.same(withServer(['a:1'], 'a:1'), ['a:1']);
});

t.test('bootstrap - MemberAdd answer becomes the initial cluster', async (t) => {
  const members = [
    { ID: 1, name: 'cp1', peerURLs: ['https://10.0.0.1:2380'], clientURLs: ['https://10.0.0.1:2379'], isLearner: false },
    { ID: 2, name: '', peerURLs: ['https://10.0.0.2:2380'], clientURLs: [], isLearner: true },
  ];
  t.same(clusterMembers(members, { id: 2, name: 'cp2' }), [
    { name: 'cp1', peerUrls: ['https://10.0.0.1:2380'] },
    { name: 'cp2', peerUrls: ['https://10.0.0.2:2380'] },
  ]);
});
