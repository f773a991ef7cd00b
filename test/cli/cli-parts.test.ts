// The small pure parts of shoalctl: error lines, manifests, label/annotate changes, resource
// name resolution, object references and completion scripts.
import { execFileSync } from 'node:child_process';
import { status } from '@grpc/grpc-js';
import t from 'tap';
import { ApiError, ApiErrorReason } from '../../client/index.js';
import { bashCompletion, completionTree, zshCompletion } from '../../cli/completion.js';
import { CliError, ManifestError, UnknownResourceError, UsageError, cleanMessage, toCliError } from '../../cli/errors.js';
import { parseManifestText } from '../../cli/manifests.js';
import { mapPatch, parseMapChanges } from '../../cli/metadata-changes.js';
import { parseObjectRefs } from '../../cli/object-refs.js';
import { buildProgram } from '../../cli/program.js';
import { resolveResource, resourceForKind, typeName } from '../../cli/resources.js';
import { placeInNamespace } from '../../cli/manifest-runner.js';
import { parseOutput, parseTimeout } from '../../cli/session.js';
import { RESOURCES } from './fixtures.js';
import type { CliContext } from '../../cli/context.js';

t.test('errors - one line each; validation one line per cause', async (t) => {
  const invalid = new ApiError(status.INVALID_ARGUMENT, ApiErrorReason.Invalid, 'Pod "web" is invalid: ...', {
    causes: [
      { field: 'spec.containers[0].image', type: 'FieldValueRequired', message: 'Required value' },
      { field: 'spec.restartPolicy', type: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"' },
    ],
  });
  t.same(toCliError(invalid, { kind: 'Pod', name: 'web' }).lines(), [
    'The Pod "web" is invalid: spec.containers[0].image: Required value',
    'The Pod "web" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  ]);
  const notFound = new ApiError(status.NOT_FOUND, ApiErrorReason.NotFound, 'pods "web" not found');
  t.same(toCliError(notFound, { kind: 'Pod', name: 'web' }).lines(), ['error: pods "web" not found']);
  t.equal(toCliError(notFound).exitCode, 1);
  t.same(new UnknownResourceError('foos').lines(), ['error: the server doesn\'t have a resource type "foos"']);
  t.equal(new UsageError('bad flag').exitCode, 2);
  t.same(toCliError(new Error('boom')).lines(), ['error: boom'], 'no stack trace');
  t.same(new ManifestError('app.yaml#2', 'missing kind').lines(), ['error: app.yaml#2: missing kind']);
  t.equal(
    cleanMessage('no API server answered (tried 127.0.0.1:1): 14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: x'),
    'no API server answered (tried 127.0.0.1:1): connect ECONNREFUSED 127.0.0.1:1',
  );
  t.ok(toCliError(new CliError('X', 'y')) instanceof CliError);
});

t.test('manifests - multi-document YAML, JSON, List, empty documents, bad documents', async (t) => {
  const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\nkind: Pod\nmetadata: {name: b}\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n';
  const parsed = parseManifestText(yaml, 'app.yaml');
  t.same(parsed.manifests.map((m) => [m.source, m.object.metadata.name]), [
    ['app.yaml#1', 'a'],
    ['app.yaml#4 items[0]', 'c'],
  ]);
  t.same(parsed.errors.map((e) => e.message), ["app.yaml#3: missing apiVersion (e.g. 'apiVersion: v1')"]);
  const json = parseManifestText('{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}', 'ns.json');
  t.equal(json.manifests[0]?.object.kind, 'Namespace');
  const broken = parseManifestText('kind: [unclosed\n', 'bad.yaml');
  t.match(broken.errors[0]?.message, /^bad\.yaml: invalid YAML: /);
});

t.test('label/annotate - key=value sets, key- removes, --overwrite rule', async (t) => {
  const changes = parseMapChanges(['tier=fe', 'old-'], 'label');
  t.same(mapPatch({ old: 'x', app: 'web' }, changes, false), { tier: 'fe', old: null });
  t.equal(mapPatch({ tier: 'fe' }, parseMapChanges(['tier=fe'], 'label'), false), undefined, 'nothing changes');
  t.throws(() => mapPatch({ tier: 'be' }, parseMapChanges(['tier=fe'], 'label'), false), { message: "'tier' already has a value (be), and --overwrite is false" });
  t.same(mapPatch({ tier: 'be' }, parseMapChanges(['tier=fe'], 'label'), true), { tier: 'fe' });
  t.throws(() => parseMapChanges(['bad key=x'], 'label'), { message: 'invalid label key "bad key"' });
  t.throws(() => parseMapChanges(['a=1', 'a-'], 'label'), UsageError);
});

t.test('resources - any name a user types, and manifest kinds', async (t) => {
  for (const typed of ['po', 'pod', 'pods', 'Pod', 'PODS']) t.equal(resolveResource(RESOURCES, typed).resource, 'pods', typed);
  t.equal(resolveResource(RESOURCES, 'deploy').resource, 'deployments');
  t.equal(resolveResource(RESOURCES, 'deployments.apps').resource, 'deployments');
  t.equal(typeName(resolveResource(RESOURCES, 'deploy')), 'deployment.apps');
  t.equal(typeName(resolveResource(RESOURCES, 'cm')), 'configmap');
  t.throws(() => resolveResource(RESOURCES, 'foos'), { message: 'the server doesn\'t have a resource type "foos"' });
  t.equal(resourceForKind(RESOURCES, 'apps/v1', 'Deployment').resource, 'deployments');
  t.throws(() => resourceForKind(RESOURCES, 'v1', 'Gadget'), { message: 'no matches for kind "Gadget" in version "v1"' });
});

t.test('object refs - type names, type/name, several types', async (t) => {
  t.same(parseObjectRefs(['pods', 'a', 'b'], { allowManyTypes: false }), [{ type: 'pods', names: ['a', 'b'] }]);
  t.same(parseObjectRefs(['pod/a', 'deploy/b', 'pod/c'], { allowManyTypes: true }), [
    { type: 'pod', names: ['a', 'c'] },
    { type: 'deploy', names: ['b'] },
  ]);
  t.same(parseObjectRefs(['pods,svc'], { allowManyTypes: true }), [
    { type: 'pods', names: [] },
    { type: 'svc', names: [] },
  ]);
  t.throws(() => parseObjectRefs(['pods,svc'], { allowManyTypes: false }), UsageError);
  t.throws(() => parseObjectRefs(['pod/'], { allowManyTypes: true }), UsageError);
});

t.test('completion - bash and zsh scripts from the command tree and resource names', async (t) => {
  const program = buildProgram({} as CliContext);
  const tree = completionTree(program);
  t.ok(tree.subcommands.some((c) => c.name === 'get' && c.takesResource && c.flags.includes('--selector')));
  t.ok(tree.subcommands.some((c) => c.name === 'config' && c.subcommands.some((s) => s.name === 'use-namespace')));
  const bash = bashCompletion(tree, ['pods', 'po', 'deployments']);
  t.match(bash, /complete -F _shoalctl shoalctl/);
  t.match(bash, /local resources="pods po deployments"/);
  t.match(bash, /"config use-namespace"\)/);
  execFileSync('bash', ['-n'], { input: bash }); // throws on a syntax error
  const zsh = zshCompletion(tree, ['pods']);
  t.match(zsh, /^#compdef shoalctl/);
  t.match(zsh, /'get:Display one or many resources'/);
});

t.test('global flags - --request-timeout, -o per command', async (t) => {
  t.equal(parseTimeout('30s'), 30_000);
  t.equal(parseTimeout('1m'), 60_000);
  t.equal(parseTimeout('500ms'), 500);
  t.equal(parseTimeout('2'), 2_000, 'a bare number is seconds');
  t.equal(parseTimeout('0'), undefined, '0 = the client default');
  t.throws(() => parseTimeout('soon'), UsageError);
  t.equal(parseOutput(undefined, ['table', 'json']), 'table');
  t.equal(parseOutput('json', ['table', 'json']), 'json');
  t.throws(() => parseOutput('wide', ['table', 'json']), { message: 'unable to match a printer suitable for the output format "wide", allowed formats are: json' });
});

t.test('manifests - namespaces: the file\'s, else -n or the config\'s; a contradiction is refused', async (t) => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
  t.equal(placeInNamespace(cm, true, 'shop', false).metadata.namespace, 'shop');
  const own = { ...cm, metadata: { name: 'x', namespace: 'edge' } };
  t.equal(placeInNamespace(own, true, 'default', false).metadata.namespace, 'edge', 'the file wins over the config');
  t.throws(() => placeInNamespace(own, true, 'default', true), { message: /^the namespace from the provided object "edge" does not match the namespace "default"/ });
  t.equal(placeInNamespace({ ...own, kind: 'Namespace' }, false, 'default', true).metadata.namespace, undefined, 'cluster-scoped objects have none');
});
