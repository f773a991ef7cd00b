// shoalctl get: tables (kubectl's columns from api/), -o wide|yaml|json|name, -w / --watch-only,
// -l, --field-selector, several types (`get pods,svc`), and componentstatuses (cs).
import { Command, Option } from 'commander';
import type { KubeObject } from '../../api/kind.js';
import type { CommandEnv } from '../command-env.js';
import { AlreadyReported, UsageError } from '../errors.js';
import { parseObjectRefs } from '../object-refs.js';
import type { ObjectRefs } from '../object-refs.js';
import { componentStatusTable } from '../output/cluster-tables.js';
import { getRow, getTable, noResourcesMessage } from '../output/get-table.js';
import { printJson, printNames, printYaml } from '../output/printers.js';
import { renderTable } from '../output/table.js';
import { renderWatchRow, startWidths } from '../output/watch-rows.js';
import type { RowWidths } from '../output/watch-rows.js';
import { typeName } from '../resources.js';
import type { ResourceInfo } from '../resources.js';
import { parseOutput } from '../session.js';
import type { OutputFormat, Session } from '../session.js';

const COMPONENT_STATUS_NAMES = ['componentstatuses', 'componentstatus', 'cs'];

/** `get all`: kubectl's category of the workload types, those the server serves. */
const ALL_CATEGORY = ['pods', 'services', 'daemonsets', 'deployments', 'replicasets', 'statefulsets', 'jobs', 'cronjobs'];

interface GetFlags {
  readonly selector?: string;
  readonly fieldSelector?: string;
  readonly watch?: boolean;
  readonly watchOnly?: boolean;
  readonly showLabels?: boolean;
  /** false with --no-headers. */
  readonly headers?: boolean;
}

interface Fetched {
  readonly info: ResourceInfo;
  readonly objects: KubeObject[];
  readonly resourceVersion: string;
  /** Set when the objects were asked for by name (a watch then follows that one object). */
  readonly name?: string;
}

export function getCommand(env: CommandEnv): Command {
  return new Command('get')
    .description('Display one or many resources')
    .argument('<resource>', 'resource type(s): pods, deploy, pods,svc, pod/web, cs')
    .argument('[name...]', 'object names')
    .option('-l, --selector <selector>', 'label selector: app=web,tier in (a,b),!canary')
    .option('--field-selector <selector>', 'field selector: status.phase=Running,spec.nodeName=n1')
    .option('-w, --watch', 'after listing, print changes as they happen')
    .addOption(new Option('--watch-only', 'print changes only, without the current list'))
    .option('--no-headers', 'print tables without the header line')
    .option('--show-labels', 'add a LABELS column')
    .action(async (resource: string, names: string[], flags: GetFlags, command: Command) => {
      await env.run(command, (session) => runGet(env, session, [resource, ...names], flags));
    });
}

async function runGet(env: CommandEnv, session: Session, args: string[], flags: GetFlags): Promise<void> {
  const output = parseOutput(session.flags.output, ['table', 'wide', 'json', 'yaml', 'name']);
  const refs = await expandAll(session, parseObjectRefs(args, { allowManyTypes: true }));
  if (refs.length === 1 && COMPONENT_STATUS_NAMES.includes(refs[0]!.type.toLowerCase())) {
    return getComponentStatuses(env, session, output);
  }
  const watching = flags.watch === true || flags.watchOnly === true;
  if (watching && refs.length > 1) throw new UsageError('you may only specify a single resource type with --watch');
  if (watching && (refs[0]?.names.length ?? 0) > 1) throw new UsageError('you may only watch one object by name (or use -l)');

  const api = await session.api();
  const fetched: Fetched[] = [];
  let failed = false;
  for (const ref of refs) {
    const info = await session.resolve(ref.type);
    if (ref.names.length > 0) {
      const namespace = await session.objectNamespace(info);
      const objects: KubeObject[] = [];
      for (const name of ref.names) {
        try {
          objects.push(await api.get(info.resource, namespace, name));
        } catch (err) {
          failed = true;
          env.report(err, { kind: info.kind, name });
        }
      }
      // A watch of one named object continues from the version just read, filtered to its name.
      fetched.push({ info, objects, resourceVersion: objects[0]?.metadata.resourceVersion ?? '', name: ref.names[0] });
    } else {
      const list = await api.list(info.resource, {
        ...optionalNamespace(await session.listNamespace(info)),
        ...(flags.selector ? { labelSelector: flags.selector } : {}),
        ...(flags.fieldSelector ? { fieldSelector: flags.fieldSelector } : {}),
      });
      fetched.push({ info, objects: sortByNamespaceAndName(list.items), resourceVersion: list.resourceVersion });
    }
  }

  const now = env.ctx.now();
  const single = refs.length === 1 && (refs[0]?.names.length ?? 0) === 1;
  if (!flags.watchOnly) {
    env.ctx.stdout(render(fetched, output, { allNamespaces: session.allNamespaces, now, single, noHeaders: flags.headers === false, showLabels: flags.showLabels === true }));
    const total = fetched.reduce((n, f) => n + f.objects.length, 0);
    if (total === 0 && !failed && (output === 'table' || output === 'wide') && !watching) {
      const info = fetched[0]?.info;
      env.ctx.stderr(noResourcesMessage(info?.namespaced && !session.allNamespaces ? await session.namespace() : undefined) + '\n');
    }
  }
  if (watching) {
    const f = fetched[0]!;
    await watchAndPrint(env, session, f, output, flags);
  }
  if (failed) throw new AlreadyReported();
}

async function expandAll(session: Session, refs: ObjectRefs[]): Promise<ObjectRefs[]> {
  if (!refs.some((r) => r.type === 'all')) return refs;
  const served = new Set((await session.resources()).map((r) => r.resource));
  return refs.flatMap((r) => (r.type === 'all' ? ALL_CATEGORY.filter((x) => served.has(x)).map((type) => ({ type, names: r.names })) : [r]));
}

function optionalNamespace(namespace: string | undefined): { namespace?: string } {
  return namespace === undefined ? {} : { namespace };
}

export function sortByNamespaceAndName(objects: KubeObject[]): KubeObject[] {
  return [...objects].sort(
    (a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

export interface RenderOptions {
  readonly allNamespaces: boolean;
  readonly now: Date;
  /** One object asked for by name: json/yaml print it bare, not as a List. */
  readonly single: boolean;
  readonly noHeaders: boolean;
  readonly showLabels?: boolean;
}

/** The whole `get` output for what was fetched (pure). */
export function render(fetched: readonly Fetched[], output: OutputFormat, options: RenderOptions): string {
  const all = fetched.flatMap((f) => f.objects);
  switch (output) {
    case 'json':
      return printJson(all, options.single);
    case 'yaml':
      return printYaml(all, options.single);
    case 'name':
      return fetched.map((f) => printNames(f.objects, () => typeName(f.info))).join('');
    case 'table':
    case 'wide': {
      const many = fetched.filter((f) => f.objects.length > 0).length > 1;
      return fetched
        .filter((f) => f.objects.length > 0)
        .map((f) =>
          renderTable(
            getTable(f.info, f.objects, {
              wide: output === 'wide',
              allNamespaces: options.allNamespaces,
              now: options.now,
              showLabels: options.showLabels === true,
              ...(many ? { namePrefix: typeName(f.info) } : {}),
            }),
            { noHeaders: options.noHeaders },
          ),
        )
        .join('\n');
    }
  }
}

async function watchAndPrint(env: CommandEnv, session: Session, fetched: Fetched, output: OutputFormat, flags: GetFlags): Promise<void> {
  const { info } = fetched;
  const wide = output === 'wide';
  const tableOptions = { wide, allNamespaces: session.allNamespaces, now: env.ctx.now(), showLabels: flags.showLabels === true };
  const table = getTable(info, fetched.objects, tableOptions);
  let widths: RowWidths = startWidths([table.headers, ...table.rows]);
  let headerPrinted = !flags.watchOnly && fetched.objects.length > 0;
  const api = await session.api();
  const printEvent = (object: KubeObject): void => {
    switch (output) {
      case 'json':
        env.ctx.stdout(JSON.stringify(object, null, 4) + '\n');
        return;
      case 'yaml':
        env.ctx.stdout('---\n' + printYaml([object], true));
        return;
      case 'name':
        env.ctx.stdout(printNames([object], () => typeName(info)));
        return;
      case 'table':
      case 'wide': {
        if (!headerPrinted && flags.headers !== false) {
          const head = renderWatchRow(widths, table.headers);
          env.ctx.stdout(head.line);
          widths = head.next;
        }
        headerPrinted = true;
        const row = renderWatchRow(widths, getRow(info, object, { ...tableOptions, now: env.ctx.now() }));
        widths = row.next;
        env.ctx.stdout(row.line);
      }
    }
  };
  const fieldSelector = [flags.fieldSelector, fetched.name === undefined ? undefined : `metadata.name=${fetched.name}`].filter((f) => f).join(',');
  const namespace = fetched.name === undefined ? await session.listNamespace(info) : info.namespaced ? await session.namespace() : undefined;
  await api.watch(
    info.resource,
    {
      ...optionalNamespace(namespace),
      ...(flags.selector ? { labelSelector: flags.selector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
      resourceVersion: fetched.resourceVersion,
    },
    (event) => {
      if (event.type !== 'BOOKMARK') printEvent(event.object);
    },
    env.ctx.interrupted,
  );
}

async function getComponentStatuses(env: CommandEnv, session: Session, output: OutputFormat): Promise<void> {
  const components = await (await session.api()).componentStatuses();
  const objects: KubeObject[] = components.map((c) => ({
    apiVersion: 'v1',
    kind: 'ComponentStatus',
    metadata: { name: c.name },
    conditions: [{ type: 'Healthy', status: c.healthy ? 'True' : 'False', message: c.message, error: c.error }],
  }));
  switch (output) {
    case 'json':
      return env.ctx.stdout(printJson(objects, false));
    case 'yaml':
      return env.ctx.stdout(printYaml(objects, false));
    case 'name':
      return env.ctx.stdout(printNames(objects, () => 'componentstatus'));
    case 'table':
    case 'wide':
      return env.ctx.stdout(renderTable(componentStatusTable(components)));
  }
}
