// A Node's status from host facts, usage measurements and the configured reservations. Pure.
// allocatable = capacity − reservations; pressure conditions come from thresholds; Ready says
// whether the agent can run pods (its container runtime answers).
import type { Condition, Node } from '../../api/index.js';
import { rfc3339 } from '../time-format.js';
import type { HostFacts, HostUsage } from './host-facts.js';

export interface Reservations {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly ephemeralStorageBytes: number;
}

export interface Thresholds {
  /** MemoryPressure when available memory is below this. */
  readonly memoryAvailableBytes: number;
  /** DiskPressure when the root disk's free share is below this (0..1). */
  readonly diskAvailableFraction: number;
  /** PIDPressure when used PIDs exceed this share of pid_max (0..1). */
  readonly pidUsedFraction: number;
}

export const defaultReservations: Reservations = { cpuMillis: 100, memoryBytes: 100 * 1024 * 1024, ephemeralStorageBytes: 0 };
export const defaultThresholds: Thresholds = { memoryAvailableBytes: 100 * 1024 * 1024, diskAvailableFraction: 0.1, pidUsedFraction: 0.9 };

export interface NodeStatusInput {
  readonly facts: HostFacts;
  readonly usage: HostUsage;
  readonly reservations: Reservations;
  readonly thresholds: Thresholds;
  readonly maxPods: number;
  readonly runtimeVersion: string;
  /** Empty when the runtime answers; else why not. */
  readonly runtimeError: string;
  readonly agentVersion: string;
  readonly previous: Node['status'] | undefined;
  readonly now: number;
  /** The pod network's state (host-gw); undefined = no pod network of ours (no NetworkUnavailable condition). */
  readonly network?: NetworkState;
}

export interface NetworkState {
  readonly ready: boolean;
  /** Why not (a CamelCase reason and a sentence); ignored when ready. */
  readonly reason?: string;
  readonly message?: string;
}

const ki = (bytes: number): string => `${Math.max(0, Math.floor(bytes / 1024))}Ki`;
const cpuText = (millis: number): string => (millis % 1000 === 0 ? String(millis / 1000) : `${Math.max(0, millis)}m`);

/** The labels every node carries. */
export function nodeLabels(facts: HostFacts, nodeName: string): Record<string, string> {
  return { 'kubernetes.io/arch': facts.arch, 'kubernetes.io/os': facts.os, 'kubernetes.io/hostname': nodeName };
}

export function buildNodeStatus(i: NodeStatusInput): NonNullable<Node['status']> {
  const { facts, usage, reservations: r, thresholds: th, now } = i;
  const capacity = {
    cpu: String(facts.cpuCores),
    memory: ki(facts.memoryBytes),
    'ephemeral-storage': ki(facts.rootDiskBytes),
    pods: String(i.maxPods),
  };
  const allocatable = {
    cpu: cpuText(Math.max(0, facts.cpuCores * 1000 - r.cpuMillis)),
    memory: ki(facts.memoryBytes - r.memoryBytes),
    'ephemeral-storage': ki(facts.rootDiskBytes - r.ephemeralStorageBytes),
    pods: String(i.maxPods),
  };
  const cond = (type: string, on: boolean, reasonOn: string, reasonOff: string, msgOn: string, msgOff: string): Condition => {
    const status = on ? 'True' : 'False';
    const prev = i.previous?.conditions?.find((c) => c.type === type);
    return {
      type,
      status,
      reason: on ? reasonOn : reasonOff,
      message: on ? msgOn : msgOff,
      lastHeartbeatTime: rfc3339(now),
      lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now),
    };
  };
  const diskFree = usage.rootDiskBytes > 0 ? usage.rootDiskAvailableBytes / usage.rootDiskBytes : 1;
  const netDown = i.network !== undefined && !i.network.ready;
  const ready = i.runtimeError === '' && !netDown;
  const conditions = [
    cond('MemoryPressure', usage.memoryAvailableBytes < th.memoryAvailableBytes, 'AgentHasInsufficientMemory', 'AgentHasSufficientMemory', 'agent has insufficient memory available', 'agent has sufficient memory available'),
    cond('DiskPressure', diskFree < th.diskAvailableFraction, 'AgentHasDiskPressure', 'AgentHasNoDiskPressure', 'agent has disk pressure', 'agent has no disk pressure'),
    cond('PIDPressure', usage.pids > usage.pidMax * th.pidUsedFraction, 'AgentHasInsufficientPID', 'AgentHasSufficientPID', 'agent has insufficient PID available', 'agent has sufficient PID available'),
    ...(i.network === undefined
      ? []
      : [cond('NetworkUnavailable', netDown, i.network.reason ?? 'NetworkNotReady', 'RouteCreated', `pod network not ready: ${i.network.message ?? ''}`, 'pod network is ready (docker network, routes and rules in place)')]),
    // Ready is "True when on": invert the reason pair.
    i.runtimeError !== ''
      ? cond('Ready', false, 'AgentReady', 'RuntimeUnavailable', 'agent is posting ready status', `container runtime is down: ${i.runtimeError}`)
      : cond('Ready', ready, 'AgentReady', 'NetworkNotReady', 'agent is posting ready status', `pod network not ready: ${i.network?.message ?? ''}`),
  ];
  return {
    capacity,
    allocatable,
    conditions,
    addresses: [...facts.addresses.slice(0, 1).map((a) => ({ type: 'InternalIP' as const, address: a })), { type: 'Hostname' as const, address: facts.hostname }],
    nodeInfo: {
      machineID: facts.machineID,
      bootID: facts.bootID,
      kernelVersion: facts.kernelVersion,
      osImage: facts.osImage,
      containerRuntimeVersion: i.runtimeVersion,
      kubeletVersion: i.agentVersion,
      operatingSystem: facts.os,
      architecture: facts.arch,
    },
  };
}

/** The status without heartbeat times: what decides whether a write is needed. */
export function statusFingerprint(s: NonNullable<Node['status']>): string {
  return JSON.stringify({ ...s, conditions: s.conditions?.map(({ lastHeartbeatTime: _h, ...c }) => c) });
}
