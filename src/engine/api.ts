// What the CLI asks of an engine: the in-process Engine and nslabd's client both provide it.
import type { ContainerRecord, EndpointRecord, NetworkRecord, State } from '../state/types.js';
import type { Drift } from './check.js';
import type { ContainerInput, NetworkInput } from './inputs.js';
import type { PlanItem } from './plan-lab.js';

export interface EngineApi {
  readState(): Promise<State>;
  createNetwork(input: NetworkInput): Promise<NetworkRecord>;
  removeNetworks(names: readonly string[], force?: boolean): Promise<string[]>;
  createContainers(inputs: readonly ContainerInput[]): Promise<ContainerRecord[]>;
  up(networks: readonly NetworkInput[], containers: readonly ContainerInput[]): Promise<ContainerRecord[]>;
  removeContainers(names: readonly string[], force?: boolean): Promise<string[]>;
  connect(network: string, container: string, o?: { ip?: string; aliases?: string[] }): Promise<EndpointRecord>;
  disconnect(network: string, container: string): Promise<boolean>;
  reset(): Promise<void>;
  check(repair?: boolean): Promise<{ drift: Drift[]; repaired: boolean; notes?: string[] }>;
  gc(): Promise<{ removed: string[]; lookalikes: string[] }>;
  rebuildState(): Promise<State>;
  /** What `up` of these would do to the live kernel; reads only. */
  plan(networks: readonly NetworkInput[], containers: readonly ContainerInput[]): Promise<PlanItem[]>;
}

/** The verbs nslabd serves (POST /v1/VERB with the arguments as a JSON array), besides reads. */
export const MUTATIONS = [
  'createNetwork', 'removeNetworks', 'createContainers', 'up', 'removeContainers', 'connect', 'disconnect', 'reset', 'check', 'gc', 'rebuildState', 'plan',
] as const satisfies ReadonlyArray<keyof EngineApi>;
export type Mutation = (typeof MUTATIONS)[number];
