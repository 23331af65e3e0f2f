/**
 * What a HIL run is compared with: the signed bundle the device must run (its id for flashing, its bytecode and
 * sidecar map for the simulator, its signing mode), and the simulator's run of the same bundle, recordings and
 * scenario with the device's event key — `simulate()` with a signer, exactly as `edgerule simulate
 * --device-key` runs it. The samples the device is given are that run's replayed stream, so both see the same
 * numbers in the same order.
 *
 * Without the device's secret key (a production device keeps it) the simulator signs with a stand-in key: record
 * payloads do not depend on the key (the hash chain covers the record bytes, not signatures), so they are still
 * compared byte for byte, and every device signature is checked with the public key the device announces.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { SidecarMap } from '../../compiler/compile.ts';
import type { SigningMode } from '../../compiler/dsl/rule.ts';
import { bundleFrom, type LoadedBundle, type ReadInputs } from '../../simulator/inputs.ts';
import { simulate, type SimResult } from '../../simulator/run.ts';
import type { Scenario } from '../../simulator/scenario.ts';
import type { SignerConfig } from '../../simulator/signed-events.ts';
import { openBundle, signingName } from '../../signing/bundle.ts';
import { identify, type BundleIdentity } from '../link/bundle-id.ts';
import { InjectSource } from './samples.ts';

export interface HilBundle {
  file: string;
  signed: Uint8Array;
  identity: BundleIdentity;
  /** The bytecode inside, with its sidecar map when one was found. */
  loaded: LoadedBundle;
  mapFile?: string;
  signing: SigningMode;
}

/** A signed bundle and its sidecar map (`--map`, else `<bundle>.map.json` when present; it must belong to the bytecode inside). */
export function loadHilBundle(file: string, mapFile?: string): HilBundle {
  if (!existsSync(file)) throw new Error(`${file}: no such signed bundle`);
  const signed = new Uint8Array(readFileSync(file));
  const identity = identify(signed, file);
  const opened = openBundle(signed, undefined, file);
  const payload = opened.payload.slice();
  const path = mapFile ?? (existsSync(file + '.map.json') ? file + '.map.json' : undefined);
  let map: SidecarMap | undefined;
  if (path) {
    if (!existsSync(path)) throw new Error(`${path}: no such sidecar map`);
    map = JSON.parse(readFileSync(path, 'utf8')) as SidecarMap;
    const sha = createHash('sha256').update(payload).digest('hex');
    if (map.bundleSha256 && map.bundleSha256 !== sha) throw new Error(`${path}: sidecar map belongs to another bundle (sha256 ${map.bundleSha256.slice(0, 12)}…, the bytecode in ${file} is ${sha.slice(0, 12)}…)`);
  }
  const names = map?.geometries?.map((g, i) => g.name ?? `G${i}`);
  return { file, signed, identity, loaded: bundleFrom(file, payload, map, names), mapFile: path, signing: signingName(opened.check.signing) };
}

export interface ReferenceInputs {
  traces: string[];
  /** The recordings already read (readInputs), when the caller read them first. */
  inputs?: ReadInputs;
  offsets?: number[];
  startMs?: number;
  scenario?: { file: string; scenario: Scenario };
  untilRel?: number;
}

export interface Reference {
  sim: SimResult;
  source: InjectSource;
  /** The simulator's end of time, relative to the origin the samples are given in. */
  untilRel: number;
  signer: SignerConfig;
  /** The simulator signed with the device's own key: signatures are compared too. */
  sameKey: boolean;
}

/** A stand-in seed when the device's secret key is not at hand: only record payloads are then comparable. */
const STAND_IN_SEED = new Uint8Array(32).fill(0x5a);

export function reference(b: HilBundle, inputs: ReferenceInputs, device: number, seed?: Uint8Array): Reference {
  const signer: SignerConfig = { seed: seed ?? STAND_IN_SEED, device, signing: b.signing };
  const sim = simulate({
    bundle: b.loaded, traces: inputs.traces, offsets: inputs.offsets, startMs: inputs.startMs, scenario: inputs.scenario, untilRel: inputs.untilRel, signer,
    inputs: inputs.inputs,
  });
  const source = new InjectSource(sim.replayed);
  return { sim, source, untilRel: sim.until - source.origin, signer, sameKey: seed !== undefined };
}
