// Real traffic through the proxy's rules, all inside two namespaces the test makes: a veth pair
// joins "client" (where the proxier programs iptables) and "server" (busybox httpd). A request
// (Node's http client) to the ClusterIP from the client namespace is DNATed in OUTPUT to the endpoint and answered;
// a service without endpoints refuses at once. Then `shoal-agent cleanup` (the real binary, run
// inside the client namespace) removes every Shoal rule, and a second run finds nothing.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { makeNetns, requireRoot, until } from './helpers/netns.js';
import { proxyRig } from './helpers/proxy-rig.js';

const BUSYBOX = '/bin/busybox';

for (const backend of ['nft', 'legacy'] as const)
  t.test(`proxy traffic - ${backend}: ClusterIP reaches the endpoint, no endpoints refuses, cleanup binary`, async (t) => {
    if (!requireRoot(t)) return;
    const client = await makeNetns(t);
    const server = await makeNetns(t);
    await client.exec(['ip', 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', server.name]);
    await client.exec(['ip', 'addr', 'add', '10.78.0.1/24', 'dev', 'va']);
    await client.exec(['ip', 'link', 'set', 'va', 'up']);
    await client.exec(['ip', 'route', 'add', '10.96.0.0/12', 'dev', 'va']);
    await server.exec(['ip', 'addr', 'add', '10.78.0.2/24', 'dev', 'vb']);
    await server.exec(['ip', 'link', 'set', 'vb', 'up']);
    const www = await mkdtemp(join(tmpdir(), 'shoal-proxy-www-'));
    t.teardown(() => rm(www, { recursive: true, force: true }));
    await writeFile(join(www, 'index.html'), 'shoal-ok\n');
    const httpd = spawn(server.prefix[0]!, [...server.prefix.slice(1), BUSYBOX, 'httpd', '-f', '-p', '10.78.0.2:8080', '-h', www], { stdio: 'ignore' });
    t.teardown(() => void httpd.kill('SIGKILL'));
    // Node's http client inside the namespace (busybox-static's wget crashes on this machine).
    const GET = "const r=require('http').get(process.argv[1],{timeout:5000},(s)=>{let b='';s.on('data',(c)=>b+=c);s.on('end',()=>process.stdout.write(b))});r.on('timeout',()=>r.destroy(new Error('timeout')));r.on('error',(e)=>{process.stderr.write(e.code||e.message);process.exit(1)})";
    const wget = (url: string) => client.status([process.execPath, '-e', GET, url], 20_000);
    await until(t, 'httpd answers directly', async () => (await wget('http://10.78.0.2:8080/')).stdout === 'shoal-ok\n', 20_000, 100);

    const rig = await proxyRig(t, backend, {}, client);
    await rig.service('web', { clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080 }] });
    await rig.endpoints('web', [{ addresses: [{ ip: '10.78.0.2' }], ports: [{ port: 8080 }] }]);
    await rig.service('down', { clusterIP: '10.96.0.11', ports: [{ port: 80 }] });
    rig.proxier.start();
    await until(t, 'the ClusterIP answers', async () => (await wget('http://10.96.0.10/')).stdout === 'shoal-ok\n', 30_000, 100);
    t.pass('a request to the ClusterIP reached the endpoint');
    const refused = await wget('http://10.96.0.11/');
    t.not(refused.code, 0);
    t.match(refused.stderr, /ECONNREFUSED/, 'no endpoints: refused at once (REJECT), not a timeout');

    await rig.proxier.stop();
    t.equal((await wget('http://10.96.0.10/')).stdout, 'shoal-ok\n', 'rules stay after stop: traffic still flows');
    const agent = (args: string[]) => client.status([process.execPath, join(process.cwd(), 'bin/shoal-agent.js'), ...args], 60_000);
    const first = await agent(['cleanup']);
    t.equal(first.code, 0, `cleanup exits 0${first.code === 0 ? '' : `: ${first.stdout}${first.stderr}`}`);
    t.match(first.stdout, new RegExp(`${backend}: \\d+ jump rules, [1-9]\\d* chains removed`));
    for (const b of ['legacy', 'nft']) t.notMatch((await client.exec([`iptables-${b}-save`])).stdout, /SHOAL/, `no Shoal rule or chain left in ${b}`);
    const second = await agent(['cleanup']);
    t.equal(second.code, 0, 'a second cleanup succeeds');
    t.match(second.stdout, /legacy: 0 jump rules, 0 chains removed; nft: 0 jump rules, 0 chains removed/);
  });
