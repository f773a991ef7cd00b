// The demo app of the end-to-end scenario: a Deployment `web` of busybox httpd pods (each answers
// with its own host name, the pod's name, so a request shows which pod served it) and a
// Service `web` (port 80 → 8080). Made to be rolled without a failed request:
// - RollingUpdate with maxSurge 1 / maxUnavailable 0: a new pod is ready before an old one goes;
// - a readiness probe: a pod is an endpoint only once httpd answers;
// - SIGTERM drains: the shell keeps httpd serving DRAIN_SECONDS after the TERM (Shoal has no
//   preStop hooks), so the endpoint removal reaches every node's proxy before the pod stops
//   (measured in the lab: with no drain, a rollout + undo gets 2-3 refused requests of 400-1000);
// - tolerations of not-ready/unreachable for 10 s, so a lost worker's pods move quickly (step 6).

export const WEB_IMAGE = { v1: 'shoal-test/busybox:1', v2: 'shoal-test/busybox:2' } as const;
export const WEB_NAME = 'web';
export const WEB_PORT = 80;
export const WEB_TARGET_PORT = 8080;
/** How long a pod keeps serving after SIGTERM. */
export const DRAIN_SECONDS = 10;

/** The serving shell: httpd in the background, and on TERM: serve a little longer, then stop. */
const serve = [
  'mkdir -p /www && cat /etc/hostname > /www/index.html',
  `httpd -f -p ${WEB_TARGET_PORT} -h /www & pid=$!`,
  `trap 'sleep ${DRAIN_SECONDS}; kill $pid; exit 0' TERM`,
  // wait returns when the trap fires; loop so a stray wake-up does not end the pod.
  'while kill -0 $pid 2>/dev/null; do wait; done',
].join('\n');

export interface WebAppOptions {
  readonly image?: string;
  readonly replicas?: number;
}

export function webDeploymentObject(o: WebAppOptions = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: WEB_NAME, namespace: 'default', labels: { app: WEB_NAME } },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: WEB_NAME } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: WEB_NAME } },
        spec: {
          // The drain plus room for the shell to exit before Docker's SIGKILL.
          terminationGracePeriodSeconds: DRAIN_SECONDS + 10,
          tolerations: ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'].map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 })),
          containers: [
            {
              name: 'web',
              image: o.image ?? WEB_IMAGE.v1,
              imagePullPolicy: 'Never',
              command: ['sh', '-c', serve],
              ports: [{ name: 'http', containerPort: WEB_TARGET_PORT }],
              readinessProbe: { httpGet: { path: '/', port: WEB_TARGET_PORT }, periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 1 },
              resources: { requests: { cpu: '50m', memory: '16Mi' } },
            },
          ],
        },
      },
    },
  };
}

export function webServiceObject(type: 'ClusterIP' | 'NodePort' = 'ClusterIP'): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: WEB_NAME, namespace: 'default', labels: { app: WEB_NAME } },
    spec: { type, selector: { app: WEB_NAME }, ports: [{ name: 'http', port: WEB_PORT, targetPort: WEB_TARGET_PORT, protocol: 'TCP' }] },
  };
}

/** The Deployment as a manifest for `shoalctl apply -f -`. */
export const webDeploymentManifest = (o: WebAppOptions = {}): string => JSON.stringify(webDeploymentObject(o));

/** Deployment and Service in one manifest (a List) for `shoalctl apply -f -`. */
export const webAppManifest = (o: WebAppOptions & { serviceType?: 'ClusterIP' | 'NodePort' } = {}): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [webDeploymentObject(o), webServiceObject(o.serviceType)] });
