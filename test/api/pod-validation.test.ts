import t from 'tap';
import { bindingKind, formatFieldError, kindFor } from '../../api/index.js';
import { errorsOf, fixture, sorted, valid } from './helpers.js';

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

t.test('pod - defaults as Kubernetes', async (t) => {
  const p = valid(
    'Pod',
    fixture('Pod', (o) => {
      o.spec.containers = [
        { name: 'a', image: 'nginx' },
        { name: 'b', image: 'nginx:latest', ports: [{ containerPort: 80 }] },
        { name: 'c', image: 'registry.local:5000/app:1.2', resources: { limits: { cpu: 1, memory: '512Mi' }, requests: { cpu: '250m' } } },
        { name: 'd', image: 'app@sha256:abc', readinessProbe: { httpGet: { port: 8080 } } },
        { name: 'e', image: 'registry.local:5000/app' },
      ];
    }),
  );
  t.same(p.spec.containers.map((c: any) => c.imagePullPolicy), ['Always', 'Always', 'IfNotPresent', 'IfNotPresent', 'Always']);
  t.equal(p.spec.restartPolicy, 'Always');
  t.equal(p.spec.terminationGracePeriodSeconds, 30);
  t.equal(p.spec.schedulerName, 'default-scheduler');
  t.equal(p.spec.containers[1].ports[0].protocol, 'TCP');
  t.same(p.spec.containers[2].resources, { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '512Mi' } }, 'requests default to limits');
  t.same(p.spec.containers[3].readinessProbe, {
    httpGet: { port: 8080, scheme: 'HTTP' },
    initialDelaySeconds: 0,
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  });
  t.same(p.status, { phase: 'Pending' });
});

t.test('pod - the full spec the scheduler and agent need is accepted', async (t) => {
  const p = valid('Pod', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'web-', namespace: 'default', labels: { app: 'web', 'example.com/tier': 'front' }, annotations: { note: 'any text: {}' } },
    spec: {
      initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'true'] }],
      containers: [
        {
          name: 'web',
          image: 'nginx:1.25',
          imagePullPolicy: 'IfNotPresent',
          command: ['nginx'],
          args: ['-g', 'daemon off;'],
          workingDir: '/srv',
          env: [
            { name: 'MODE', value: 'prod' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
            { name: 'DB_URL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'db.url' } } },
            { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password', optional: true } } },
          ],
          envFrom: [{ configMapRef: { name: 'settings' } }, { prefix: 'S_', secretRef: { name: 'creds' } }],
          ports: [{ name: 'http', containerPort: 80, hostPort: 8080, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }],
          resources: { requests: { cpu: '100m', memory: '64Mi', 'example.com/gpu': 1 }, limits: { cpu: '1.5', memory: '1G' } },
          livenessProbe: { tcpSocket: { port: 'http' }, initialDelaySeconds: 5, periodSeconds: 20 },
          readinessProbe: { httpGet: { path: '/ready', port: 80, httpHeaders: [{ name: 'X-Probe', value: '1' }] } },
          startupProbe: { exec: { command: ['cat', '/tmp/ok'] }, failureThreshold: 30 },
          volumeMounts: [
            { name: 'cache', mountPath: '/cache' },
            { name: 'conf', mountPath: '/etc/nginx/conf.d', readOnly: true },
            { name: 'certs', mountPath: '/certs', subPath: 'tls' },
            { name: 'logs', mountPath: '/var/log/nginx' },
            { name: 'data', mountPath: '/data' },
          ],
        },
      ],
      volumes: [
        { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
        { name: 'conf', configMap: { name: 'nginx-conf', items: [{ key: 'default.conf', path: 'default.conf' }] } },
        { name: 'certs', secret: { secretName: 'tls', defaultMode: 0o400 } },
        { name: 'logs', hostPath: { path: '/var/log/web', type: 'DirectoryOrCreate' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } },
      ],
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['2'] }] } }],
        },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }],
        },
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 50, podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, topologyKey: 'zone' } },
          ],
        },
      },
      tolerations: [
        { key: 'dedicated', operator: 'Equal', value: 'edge', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { operator: 'Exists' },
      ],
      restartPolicy: 'OnFailure',
      terminationGracePeriodSeconds: 10,
      activeDeadlineSeconds: 3600,
      hostNetwork: false,
      serviceAccountName: 'web',
      schedulerName: 'default-scheduler',
      priority: 1000,
      nodeName: 'edge-1',
    },
  });
  t.equal(p.spec.tolerations[0].operator, 'Equal');
  t.equal(p.spec.volumes[1].configMap.defaultMode, 0o644, 'configMap volume defaultMode 0644');
  t.same(p.spec.containers[0].resources.requests, { cpu: '100m', memory: '64Mi', 'example.com/gpu': '1' }, 'a YAML number quantity is kept as text');
  t.equal(p.spec.containers[0].env[1].valueFrom.fieldRef.apiVersion, 'v1');
});

interface Case {
  readonly name: string;
  readonly edit: (pod: any) => void;
  readonly errors: readonly string[];
}

const cases: Case[] = [
  { name: 'missing image', edit: (p) => delete p.spec.containers[0].image, errors: ['spec.containers[0].image: Required value'] },
  { name: 'empty image', edit: (p) => (p.spec.containers[0].image = ''), errors: ['spec.containers[0].image: Required value'] },
  { name: 'no containers', edit: (p) => (p.spec.containers = []), errors: ['spec.containers: Required value'] },
  { name: 'no spec', edit: (p) => delete p.spec, errors: ['spec: Required value'] },
  {
    name: 'unsupported field',
    edit: (p) => (p.spec.containers[0].securityContext = { privileged: true }),
    errors: ['spec.containers[0].securityContext: Unsupported field: Shoal does not support "securityContext"'],
  },
  {
    name: 'a typo gets a suggestion',
    edit: (p) => (p.spec.containers[0].imagePullPolcy = 'Always'),
    errors: ['spec.containers[0].imagePullPolcy: Unsupported field: Shoal does not support "imagePullPolcy" (did you mean "imagePullPolicy"?)'],
  },
  {
    name: 'restartPolicy value',
    edit: (p) => (p.spec.restartPolicy = 'Sometimes'),
    errors: ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
  },
  {
    name: 'pod name syntax',
    edit: (p) => (p.metadata.name = 'Web_1'),
    errors: [`metadata.name: Invalid value: "Web_1": ${SUBDOMAIN}`],
  },
  { name: 'no name', edit: (p) => delete p.metadata.name, errors: ['metadata.name: Required value: name or generateName is required'] },
  {
    name: 'generateName prefix syntax',
    edit: (p) => ((p.metadata.generateName = 'Web-'), delete p.metadata.name),
    errors: [`metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN}`],
  },
  {
    name: 'label key and value',
    edit: (p) => (p.metadata.labels = { 'bad key': 'ok', good: 'bad value!', 'x/y/z': 'v' }),
    errors: [
      `metadata.labels[bad key]: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      `metadata.labels[good]: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      `metadata.labels[x/y/z]: Invalid value: "x/y/z": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
  },
  {
    name: 'label value too long, number instead of string',
    edit: (p) => (p.metadata.labels = { a: 'x'.repeat(64), b: 1 }),
    errors: [
      `metadata.labels[a]: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`,
      'metadata.labels[b]: Invalid value: 1: must be a string',
    ],
  },
  {
    name: 'annotations over 256 KiB in total',
    edit: (p) => (p.metadata.annotations = { big: 'x'.repeat(256 * 1024) }),
    errors: ['metadata.annotations: Too long: may not be more than 262144 bytes'],
  },
  {
    name: 'namespace syntax',
    edit: (p) => (p.metadata.namespace = 'My.NS'),
    errors: [`metadata.namespace: Invalid value: "My.NS": ${LABEL}`],
  },
  {
    name: 'container names unique across init and app containers',
    edit: (p) => {
      p.spec.initContainers = [{ name: 'web', image: 'busybox' }];
      p.spec.containers.push({ name: 'web', image: 'x' });
    },
    errors: ['spec.containers[0].name: Duplicate value: "web"', 'spec.containers[1].name: Duplicate value: "web"'],
  },
  {
    name: 'container name syntax',
    edit: (p) => (p.spec.containers[0].name = 'Web'),
    errors: [`spec.containers[0].name: Invalid value: "Web": ${LABEL}`],
  },
  {
    name: 'port names unique, port ranges, protocol',
    edit: (p) =>
      (p.spec.containers[0].ports = [
        { name: 'http', containerPort: 80 },
        { name: 'http', containerPort: 70000, protocol: 'ICMP' },
      ]),
    errors: [
      'spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be less than or equal to 65535',
      'spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
      'spec.containers[0].ports[1].name: Duplicate value: "http"',
    ],
  },
  {
    name: 'host ports unique across containers',
    edit: (p) => {
      p.spec.containers[0].ports = [{ containerPort: 80, hostPort: 8080 }];
      p.spec.containers.push({ name: 'b', image: 'x', ports: [{ containerPort: 81, hostPort: 8080 }] });
    },
    errors: ['spec.containers[1].ports[0].hostPort: Duplicate value: "8080/TCP"'],
  },
  {
    name: 'volumeMounts refer to volumes; volume names unique; one source per volume',
    edit: (p) => {
      p.spec.containers[0].volumeMounts = [{ name: 'data', mountPath: '/d' }, { name: 'cache', mountPath: '/d' }];
      p.spec.volumes = [{ name: 'cache', emptyDir: {} }, { name: 'cache', emptyDir: {}, hostPath: { path: '/x' } }, { name: 'none' }];
    },
    errors: [
      'spec.containers[0].volumeMounts[1].mountPath: Duplicate value: "/d"',
      'spec.volumes[1].hostPath: Forbidden: may not specify more than 1 volume type',
      'spec.volumes[2]: Required value: must specify a volume type (one of: emptyDir, hostPath, configMap, secret, persistentVolumeClaim)',
      'spec.volumes[1].name: Duplicate value: "cache"',
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ],
  },
  {
    name: 'unsupported volume type',
    edit: (p) => (p.spec.volumes = [{ name: 'nfs', nfs: { server: 'x', path: '/' } }]),
    errors: [
      'spec.volumes[0]: Required value: must specify a volume type (one of: emptyDir, hostPath, configMap, secret, persistentVolumeClaim)',
      'spec.volumes[0].nfs: Unsupported field: Shoal does not support "nfs"',
    ],
  },
  {
    name: 'quantities: syntax, names, requests <= limits',
    edit: (p) =>
      (p.spec.containers[0].resources = {
        requests: { cpu: '2', memory: '1.5.3Gi', gpu: 1 },
        limits: { cpu: '1', memory: '-1' },
      }),
    errors: [
      `spec.containers[0].resources.requests[memory]: Invalid value: "1.5.3Gi": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.limits[memory]: Invalid value: "-1": must be greater than or equal to 0',
      'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ],
  },
  {
    name: 'env: name syntax, value and valueFrom exclusive, one source, supported fieldPath',
    edit: (p) =>
      (p.spec.containers[0].env = [
        { name: 'A=B', value: 'x' },
        { name: 'B', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'C', valueFrom: {} },
        { name: 'D', valueFrom: { fieldRef: { fieldPath: 'spec.containers' } } },
        { name: 'E', valueFrom: { configMapKeyRef: { name: 'cm' } } },
      ]),
    errors: [
      `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
      'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      'spec.containers[0].env[2].valueFrom: Invalid value: "": must specify one of: `configMapKeyRef`, `fieldRef` or `secretKeyRef`',
      `spec.containers[0].env[3].valueFrom.fieldRef.fieldPath: Invalid value: "spec.containers": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs", "metadata.labels['<KEY>']", "metadata.annotations['<KEY>']"`,
      'spec.containers[0].env[4].valueFrom.configMapKeyRef.key: Required value',
    ],
  },
  {
    name: 'probes: one handler, liveness successThreshold 1, no probes on init containers',
    edit: (p) => {
      p.spec.containers[0].livenessProbe = { exec: { command: ['true'] }, tcpSocket: { port: 80 }, successThreshold: 2 };
      p.spec.containers[0].readinessProbe = { periodSeconds: 0 };
      p.spec.initContainers = [{ name: 'init', image: 'busybox', readinessProbe: { tcpSocket: { port: 'x--y' } } }];
    },
    errors: [
      'spec.initContainers[0].readinessProbe.tcpSocket.port: Invalid value: "x--y": must not contain consecutive hyphens',
      'spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
      'spec.containers[0].readinessProbe.periodSeconds: Invalid value: 0: must be greater than or equal to 1',
      'spec.containers[0].readinessProbe: Required value: must specify a handler type',
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers',
    ],
  },
  {
    name: 'tolerations',
    edit: (p) =>
      (p.spec.tolerations = [
        { operator: 'Equal', value: 'x' },
        { key: 'k', operator: 'Exists', value: 'v' },
        { key: 'k', effect: 'NoSchedule', tolerationSeconds: 10 },
        { key: 'k', effect: 'Sometimes' },
      ]),
    errors: [
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      "spec.tolerations[1].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
      "spec.tolerations[2].effect: Forbidden: effect must be 'NoExecute' when `tolerationSeconds` is set",
      'spec.tolerations[3].effect: Unsupported value: "Sometimes": supported values: "", "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ],
  },
  {
    name: 'affinity',
    edit: (p) =>
      (p.spec.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' }, { key: 'cores', operator: 'Gt', values: ['many'] }] }] },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 101, preference: {} }],
        },
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } } }] },
      }),
    errors: [
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'",
      'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: must be less than or equal to 100',
      'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value',
    ],
  },
  {
    name: 'hostNetwork: hostPort must equal containerPort',
    edit: (p) => ((p.spec.hostNetwork = true), (p.spec.containers[0].ports = [{ containerPort: 80, hostPort: 8080 }])),
    errors: ['spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true'],
  },
  {
    name: 'wrong types',
    edit: (p) => ((p.spec.terminationGracePeriodSeconds = '30'), (p.spec.containers[0].command = 'nginx'), (p.spec.hostNetwork = 'yes')),
    errors: [
      'spec.containers[0].command: Invalid value: "nginx": must be a list',
      'spec.terminationGracePeriodSeconds: Invalid value: "30": must be a number',
      'spec.hostNetwork: Invalid value: "yes": must be a boolean',
    ],
  },
  {
    name: 'not an integer',
    edit: (p) => (p.spec.terminationGracePeriodSeconds = 1.5),
    errors: ['spec.terminationGracePeriodSeconds: Invalid value: 1.5: must be an integer'],
  },
];

t.test('pod - each invalid pod gets exactly its errors, all at once', async (t) => {
  for (const c of cases) t.same(sorted(errorsOf('Pod', fixture('Pod', c.edit))), sorted(c.errors), c.name);
});

t.test('pod - binding subresource body', async (t) => {
  const ok = bindingKind.validate({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web', namespace: 'default' }, target: { kind: 'Node', name: 'edge-1' } });
  t.ok(ok.ok);
  const bad = bindingKind.validate({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Pod', name: 'Edge_1' } });
  t.same(bad.ok ? [] : bad.errors.map(formatFieldError), [
    'target.kind: Unsupported value: "Pod": supported values: "Node"',
    `target.name: Invalid value: "Edge_1": ${SUBDOMAIN}`,
  ]);
  t.equal(kindFor('binding'), undefined, 'Binding is not a stored kind');
});
