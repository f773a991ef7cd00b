import t from 'tap';
import { classifyWriteError } from './index.js';

// Messages as the etcd3 client surfaces them (seen against etcd 3.4 in the chaos runs).
const cases: [string, 'not-applied' | 'indeterminate'][] = [
  ['14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:35047. Resolution note: ', 'not-applied'],
  ['14 UNAVAILABLE: No connection established. Last error: null. Resolution note: ', 'not-applied'],
  ['8 RESOURCE_EXHAUSTED: etcdserver: too many requests', 'not-applied'],
  ['2 UNKNOWN: raft proposal dropped', 'not-applied'],
  ['4 DEADLINE_EXCEEDED: Deadline exceeded after 0.999s,LB pick: 0.001s,remote_addr=127.0.0.1:43833', 'indeterminate'],
  ['2 UNKNOWN: context deadline exceeded', 'indeterminate'],
  ['14 UNAVAILABLE: etcdserver: request timed out', 'indeterminate'],
  ['14 UNAVAILABLE: etcdserver: request timed out, possibly due to previous leader failure', 'indeterminate'],
  ['14 UNAVAILABLE: etcdserver: leader changed', 'indeterminate'],
  ['14 UNAVAILABLE: Connection dropped', 'indeterminate'],
  ['14 UNAVAILABLE: read ECONNRESET', 'indeterminate'],
  ['something nobody has seen before', 'indeterminate'],
];

t.test('etcd errors - only a request never sent or refused before proposing is certainly not applied', async (t) => {
  for (const [message, certainty] of cases) t.equal(classifyWriteError(new Error(message)).certainty, certainty, message);
  t.equal(classifyWriteError('a string').message, 'a string');
  t.equal(classifyWriteError(new Error('two\n  lines')).message, 'two lines', 'one line');
});
