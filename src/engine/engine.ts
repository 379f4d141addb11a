// The engine facade: every verb runs validate → observe → plan → apply under the state lock.
import type { Logger } from 'pino';
import type { Firewall } from '../firewall/firewall.js';
import { DEFAULT_FIREWALL_BACKEND, firewallBackends } from '../firewall/registry.js';
import type { Runner } from '../exec/runner.js';
import { hostResolvers } from '../kernel/netns-files.js';
import { observeHost } from '../kernel/observe.js';
import { dict } from '../state/dict.js';
import { CorruptStateError, Store } from '../state/store.js';
import { labIdOf, useLab } from '../state/lab-id.js';
import { emptyState, type ContainerRecord, type EndpointRecord, type FirewallBackendName, type NetworkRecord, type State } from '../state/types.js';
import { createContainers } from './containers.js';
import { removeContainers } from './container-remove.js';
import { execute, type EngineContext } from './context.js';
import { IncompleteError } from '../errors.js';
import { parseContainerInput, parseNetworkInput, type ContainerInput, type ContainerSpec, type NetworkInput } from './inputs.js';
import { connect, disconnect } from './endpoints.js';
import { checkHostname, checkName, checkUnicastIp } from './validate.js';
import { DEFAULT_NETWORK } from './names.js';
import { attachedTo, createNetwork, removeNetworks, requireNetwork } from './networks.js';
import { backendsInUse, observeAllFirewalls, observeFirewalls } from './firewalls.js';
import type { EngineApi } from './api.js';
import { checkState, type Drift } from './check.js';
import { planGc } from './gc.js';
import { rebuildFromMarks } from './rebuild.js';
import { noSave, saver, type Save } from './save.js';
import { vetIntent, vetState } from './records.js';
import { recoverInterrupted } from './recover.js';
import { resetLab } from './reset.js';
import { resolveLab } from './lab.js';
import { planLab, type PlanItem } from './plan-lab.js';

export interface EngineOptions {
  runner: Runner;
  stateDir: string;
  log: Logger;
  dryRun?: boolean;
  emit?: (script: string) => void;
  notice?: (line: string) => void;
  /** The backend new networks get unless a request names one (default iptables). */
  firewallBackend?: FirewallBackendName;
  /** Replace backends by name (tests: a recording fake). */
  firewalls?: Partial<Record<FirewallBackendName, Firewall>>;
  faultAt?: number;
  crashAt?: number;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** The caller (nslabd) holds the state lock for its lifetime and serialises changes itself. */
  lockHeld?: boolean;
}

/** The names a removal removed, or an IncompleteError (exit 1) listing each failed step. */
function finished(r: { removed: string[]; failures: string[] }): string[] {
  if (r.failures.length) throw new IncompleteError(r.failures, r.removed);
  return r.removed;
}

export class Engine implements EngineApi {
  readonly ctx: EngineContext;
  readonly store: Store;
  private readonly lockHeld: boolean;

  constructor(o: EngineOptions) {
    const warn = (l: string) => o.log.warn(l);
    // Read (or made) on first use, so a refused or read-only command writes nothing; read once.
    let lab: string | undefined;
    const labId = () => (lab ??= labIdOf(o.stateDir, !o.dryRun));
    useLab(labId);
    this.store = new Store(o.stateDir, { state: (s) => vetState(s, warn), intent: (i) => vetIntent(i, warn) }, labId);
    this.lockHeld = o.lockHeld ?? false;
    this.ctx = {
      runner: o.runner,
      firewalls: { ...firewallBackends(), ...o.firewalls },
      firewallDefault: o.firewallBackend ?? DEFAULT_FIREWALL_BACKEND,
      log: o.log,
      dryRun: o.dryRun ?? false,
      emit: o.emit ?? ((s) => process.stdout.write(s)),
      notice: o.notice ?? ((l) => o.log.warn(l)),
      hostResolvers: () => hostResolvers(),
      faultAt: o.faultAt,
      crashAt: o.crashAt,
      concurrency: o.concurrency,
      onProgress: o.onProgress,
    };
  }

  /** The recorded state (read-only, shared with the change that saved it: never change it; no lock). */
  readState(): Promise<State> {
    return this.store.loadRecent();
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    if (this.lockHeld) return fn();
    return this.store.withLock(fn, () => this.ctx.log.warn(`waiting for another nslab (or nslabd) to release ${this.store.dir}/lock`));
  }

  /** Run a change under the lock, after tearing down what an interrupted run left half-built. */
  private async mutate<T>(fn: (state: State, save: Save) => Promise<T>): Promise<T> {
    if (this.ctx.dryRun) return fn(await this.store.load(), noSave);
    return this.locked(async () => {
      const state = await this.store.load();
      const save = this.saverOf(state);
      try {
        await this.recover(state, save);
        return await fn(state, save);
      } catch (e) {
        this.store.forget(); // the records in memory may have changed after the last save
        throw e;
      }
    });
  }

  private saverOf(state: State): Save {
    return saver(() => this.store.save(state), () => this.store.stage(state));
  }

  /** Tear down and unrecord what an interrupted create or connect left behind (named in the intent file). */
  private async recover(state: State, save: Save): Promise<void> {
    await recoverInterrupted(this.ctx, state, save, this.store.readIntent());
    this.store.intent.clear();
  }

  /** Create a network; idempotent for identical settings, a conflict for other settings. */
  createNetwork(input: NetworkInput): Promise<NetworkRecord> {
    const spec = parseNetworkInput(input);
    return this.mutate((state, save) => createNetwork(this.ctx, state, spec, save));
  }

  /** Remove networks; names already gone are success. `force`: disconnect attached containers first. */
  removeNetworks(names: readonly string[], force = false): Promise<string[]> {
    return this.mutate(async (state, save) => {
      if (force) {
        for (const name of names) {
          const attached = attachedTo(state, name);
          for (const c of attached) await disconnect(this.ctx, state, name, c, save);
          if (attached.length && !this.ctx.dryRun) this.ctx.notice(`--force: disconnected ${attached.join(', ')} from network ${name}`);
        }
      }
      return finished(await removeNetworks(this.ctx, state, names, save));
    });
  }

  /** Create containers (one, or many sharing batches); the default network appears on first use. */
  createContainers(inputs: readonly ContainerInput[]): Promise<ContainerRecord[]> {
    const specs = inputs.map(parseContainerInput);
    return this.mutate(async (state, save) => {
      // The default network appears on first use: check the containers first, or a bad one leaves it behind.
      if (!state.networks[DEFAULT_NETWORK] && specs.some((s) => s.networks.includes(DEFAULT_NETWORK))) await resolveLab(this.ctx, state, [], specs);
      return createContainers(this.ctx, state, specs, await this.networksFor(state, specs, save), save, this.store.intent);
    });
  }

  /** Create the networks, then all containers of a lab in shared batches, under one lock. */
  up(networks: readonly NetworkInput[], containers: readonly ContainerInput[]): Promise<ContainerRecord[]> {
    const netSpecs = networks.map(parseNetworkInput);
    const specs = containers.map(parseContainerInput);
    return this.mutate(async (state, save) => {
      // The host as the lab was resolved against serves the first network; each later one looks again.
      let seen: Awaited<ReturnType<typeof resolveLab>> | undefined = await resolveLab(this.ctx, state, netSpecs, specs);
      for (const n of netSpecs) {
        await createNetwork(this.ctx, state, n, save, seen);
        seen = undefined;
      }
      // Containers recorded before: what a hand changed since is mended, as createNetwork mends a network.
      const had = new Set(specs.filter((s) => state.containers[s.name]).map((s) => `container ${s.name}`));
      const recs = await createContainers(this.ctx, state, specs, await this.networksFor(state, specs, save), save, this.store.intent);
      if (had.size) {
        const [view, live] = await Promise.all([observeHost(this.ctx.runner), this.observeFirewalls(state)]);
        await execute(this.ctx, (await checkState(this.ctx, state, view, live, had)).repair);
      }
      return recs;
    });
  }

  /**
   * What `up` of this lab would add, change (mend, or refuse) against the live kernel, from the
   * records as they are (no lock: it writes nothing). Reads only; any number of times.
   */
  async plan(networks: readonly NetworkInput[], containers: readonly ContainerInput[]): Promise<PlanItem[]> {
    const netSpecs = networks.map(parseNetworkInput);
    const specs = containers.map(parseContainerInput);
    const state = await this.store.load();
    const [view, live] = await Promise.all([observeHost(this.ctx.runner), this.observeFirewalls(state)]);
    return planLab(this.ctx, state, view, live, netSpecs, specs);
  }

  private async networksFor(state: State, specs: readonly ContainerSpec[], save: Save): Promise<Record<string, NetworkRecord>> {
    const nets = dict<NetworkRecord>();
    for (const name of new Set(specs.flatMap((s) => s.networks))) {
      if (!state.networks[name] && name === DEFAULT_NETWORK) {
        nets[name] = await createNetwork(this.ctx, state, parseNetworkInput({ name: DEFAULT_NETWORK }), save);
      }
      nets[name] ??= requireNetwork(state, name);
    }
    return nets;
  }

  /** Remove containers; names already gone are success. `force`: even if others share one's namespace. */
  removeContainers(names: readonly string[], force = false): Promise<string[]> {
    return this.mutate(async (state, save) => finished(await removeContainers(this.ctx, state, names, save, force)));
  }

  /** Attach a container to one more network (the next ethN). Idempotent. */
  connect(network: string, container: string, o: { ip?: string; aliases?: string[] } = {}): Promise<EndpointRecord> {
    checkName('network', network);
    checkName('container', container);
    const ip = o.ip === undefined ? undefined : checkUnicastIp('ip', o.ip);
    const aliases = (o.aliases ?? []).map((a) => checkHostname('alias', a));
    return this.mutate((state, save) => connect(this.ctx, state, requireNetwork(state, network), container, { ip, aliases }, save, this.store.intent));
  }

  /** Detach a container from a network. Idempotent: not connected is success (false). */
  disconnect(network: string, container: string): Promise<boolean> {
    checkName('network', network);
    checkName('container', container);
    return this.mutate((state, save) => {
      requireNetwork(state, network);
      return disconnect(this.ctx, state, network, container, save);
    });
  }

  /** Compare the records with the kernel; with `repair`, restore exactly the recorded state. */
  async check(repair = false): Promise<{ drift: Drift[]; repaired: boolean; notes: string[] }> {
    const run = async (state: State) => {
      const [view, live] = await Promise.all([observeHost(this.ctx.runner), this.observeFirewalls(state)]);
      const { drift, repair: steps, notes } = await checkState(this.ctx, state, view, live);
      if (repair && steps.length) await execute(this.ctx, steps);
      return { drift, repaired: repair && steps.length > 0, notes };
    };
    return repair ? this.mutate(run) : run(await this.store.load());
  }

  /** Remove what carries nslab's mark but no record explains; report unmarked look-alikes. */
  gc(): Promise<{ removed: string[]; lookalikes: string[] }> {
    return this.mutate(async (state) => {
      const [view, live] = await Promise.all([observeHost(this.ctx.runner), this.observeFirewalls(state)]);
      const plan = planGc(this.ctx, state, view, live);
      await execute(this.ctx, plan.steps);
      return { removed: plan.removed, lookalikes: plan.lookalikes };
    });
  }

  /**
   * Replace the record with one rebuilt from the kernel objects that carry nslab's mark: the
   * way out of a truncated or garbage state file. Nothing in the kernel changes.
   */
  rebuildState(): Promise<State> {
    const run = async () => {
      const [view, live] = await Promise.all([observeHost(this.ctx.runner), observeAllFirewalls(this.ctx)]);
      const { state, notes } = await rebuildFromMarks(this.ctx, view, live);
      for (const n of notes) this.ctx.notice(n);
      if (!this.ctx.dryRun) {
        await this.store.save(state);
        this.store.intent.clear();
      }
      return state;
    };
    return this.locked(run);
  }

  /** Each firewall backend the records use (and the default one), read from the host. */
  private observeFirewalls(state: State) {
    return observeFirewalls(this.ctx, backendsInUse(this.ctx, Object.values(state.networks)));
  }

  /** Undo what an interrupted run left (intent file); for nslabd's start. */
  recoverNow(): Promise<void> {
    return this.mutate(async () => {});
  }

  /**
   * Remove everything nslab owns: recorded containers and networks, and whatever else carries
   * its mark (namespaces with a marked /etc/netns entry, links with an nslab alias, its chains).
   * Works on an unreadable state file too. Running it twice is fine.
   */
  async reset(): Promise<void> {
    const run = async (state: State, save: Save) => {
      await resetLab(this.ctx, state, save);
      if (!this.ctx.dryRun) this.store.intent.clear(); // the sweep removed whatever it named
    };
    if (this.ctx.dryRun) return run(await this.store.load().catch(() => emptyState()), noSave);
    return this.locked(async () => {
      let state: State;
      try {
        state = await this.store.load();
      } catch (e) {
        if (!(e instanceof CorruptStateError)) throw e;
        this.ctx.log.warn(e.message + '; resetting from the marks in the kernel instead');
        state = emptyState();
      }
      await run(state, this.saverOf(state));
    });
  }
}
