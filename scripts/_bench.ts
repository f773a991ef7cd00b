import { MvccStore, prefixEnd } from '../control-plane/store/mvcc/index.js';
const te = new TextEncoder();
function ms(f: () => unknown): [number, unknown] { const c0 = process.cpuUsage(); const r = f(); const c = process.cpuUsage(c0); return [(c.user + c.system) / 1e3, r]; }
function run(n: number, keySpace: number, label: string) {
  const s = new MvccStore();
  const keys = Array.from({ length: keySpace }, (_, i) => te.encode(`/registry/pods/default/pod-${String(i).padStart(8, '0')}`));
  const value = new Uint8Array(256).fill(7);
  const [dt] = ms(() => { for (let i = 0; i < n; i++) s.put({ key: keys[(i * 7919) % keySpace]!, value }); });
  const [dr, r] = ms(() => s.range({ key: te.encode('/registry/pods/'), rangeEnd: prefixEnd(te.encode('/registry/pods/')), limit: 500 }));
  const [ds, snap] = ms(() => s.snapshot());
  const [dres] = ms(() => new MvccStore().restore(snap as Uint8Array));
  const [dh] = ms(() => s.hash());
  const [dc] = ms(() => s.compact(s.revision));
  console.log(`${label}: ${n} puts over ${keySpace} keys: ${Math.round(n / (dt / 1000))} puts/s; prefix range limit 500 ${dr.toFixed(0)} ms; snapshot ${((snap as Uint8Array).length / 1e6).toFixed(0)} MB ${ds.toFixed(0)} ms; restore ${dres.toFixed(0)} ms; hash ${dh.toFixed(0)} ms; compact ${dc.toFixed(0)} ms`);
}
run(200_000, 200_000, 'fresh keys');
run(500_000, 10_000, 'updates');
