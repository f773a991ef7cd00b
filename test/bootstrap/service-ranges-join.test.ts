// A joining host takes the cluster's service ranges (pure part): a range flag left out follows
// the cluster, one that differs is refused before anything is written.
import t from 'tap';
import { parseJoinOptions, withClusterRanges } from '../../control-plane/bootstrap/index.js';

const argv = (...more: string[]): string[] => [
  '10.0.0.1:6443', '--token', 'abcdef.0123456789abcdef', '--ca-cert-hash', `sha256:${'ab'.repeat(32)}`, '--certificate-key', 'cd'.repeat(32),
  '--data-dir', '/var/lib/shoal', '--name', 'cp2', '--advertise-address', '10.0.0.2', ...more,
];

t.test('join - service ranges follow the cluster; a different flag is refused', async (t) => {
  const plain = parseJoinOptions(argv(), '/h');
  t.same(plain.givenServiceRanges, []);
  const followed = withClusterRanges(plain, { ip: '10.100.0.0/16', port: '31000-31999' });
  t.same([followed.serviceClusterIpRange, followed.serviceNodePortRange], ['10.100.0.0/16', '31000-31999'], 'left out: the cluster\'s');
  t.same(withClusterRanges(plain, { ip: undefined, port: undefined }).serviceClusterIpRange, '10.96.0.0/12', 'nothing recorded yet: the flag (default) stands');
  const same = parseJoinOptions(argv('--service-cluster-ip-range', '10.100.0.0/16'), '/h');
  t.same(same.givenServiceRanges, ['service-cluster-ip-range']);
  t.equal(withClusterRanges(same, { ip: '10.100.0.0/16', port: undefined }).serviceClusterIpRange, '10.100.0.0/16', 'the same as the cluster: fine');
  t.throws(() => withClusterRanges(same, { ip: '10.96.0.0/12', port: undefined }), {
    code: 'bad-flags',
    message: /--service-cluster-ip-range 10.100.0.0\/16 differs from the cluster's 10.96.0.0\/12: every control-plane host must use the same/,
  });
});
