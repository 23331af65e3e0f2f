/**
 * The Moddable build: a module folder in Moddable's conventions (docs/HOSTS.md, "Moddable"). Each artifact
 * becomes an ES module that imports the one before it (they extend the same EdgeRule object, as the scripts do on
 * the global elsewhere) and exports it; the board adapter (firmware/moddable/edgerule-board.js) runs the host on
 * ECMA-419 IO, Flash partitions and Preference; main.js starts it. No module does anything at its top level
 * but define functions and objects, so all of them are listed under "preload".
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { minified, type ArtifactName } from './artifacts.ts';
import type { HostConfig } from '../runtime/host/config.ts';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const CHAIN: Array<[string, ArtifactName]> = [['edgerule-runtime', 'runtime'], ['edgerule-signing', 'signing'], ['edgerule-link', 'link'], ['edgerule-host', 'host']];
export const MODDABLE_MODULES = [...CHAIN.map(([m]) => m), 'edgerule-board', 'edgerule-config', 'main'];

/** ESP32 partitions for the slots and the record log (data partitions the Flash module opens by name). */
const PARTITIONS = `# edgerule: two bundle slots and the two record-log regions, next to Moddable's usual partitions
# Name,     Type, SubType, Offset,   Size,     Flags
nvs,        data, nvs,     0x9000,   0x6000,
phy_init,   data, phy,     0xf000,   0x1000,
factory,    app,  factory, 0x10000,  0x2C0000,
er-slot0,   data, 0x40,    0x2D0000, 0x11000,
er-slot1,   data, 0x40,    0x2E1000, 0x11000,
er-log0,    data, 0x41,    0x2F2000, 0x4000,
er-log1,    data, 0x41,    0x2F6000, 0x4000,
`;

function manifest(): string {
  return JSON.stringify({
    include: ['$(MODDABLE)/modules/io/manifest.json'],
    modules: {
      '*': MODDABLE_MODULES.map((m) => `./${m}`),
      flash: '$(MODULES)/files/flash/*',
      preference: '$(MODULES)/files/preference/*',
      timer: '$(MODULES)/base/timer/*',
    },
    preload: MODDABLE_MODULES.filter((m) => m !== 'main'),
    platforms: {
      esp32: { build: { PARTITIONS_FILE: './partitions.csv' } },
      '...': { error: 'the edgerule host needs ECMA-419 IO, Flash partitions and Preference; it is built for esp32' },
    },
  }, null, 2) + '\n';
}

export async function moddableFiles(cfg: HostConfig & Record<string, unknown>): Promise<Array<{ name: string; kind: string; bytes: Uint8Array }>> {
  const out: Array<{ name: string; kind: string; bytes: Uint8Array }> = [];
  for (let i = 0; i < CHAIN.length; i++) {
    const [name, artifact] = CHAIN[i];
    const head = i === 0 ? '' : `import EdgeRule from "${CHAIN[i - 1][0]}";\n`;
    out.push({ name: `${name}.js`, kind: 'code', bytes: enc(`${head}${await minified(artifact)}\nexport default EdgeRule;\n`) });
  }
  out.push({ name: 'edgerule-board.js', kind: 'code', bytes: new Uint8Array(readFileSync(fileURLToPath(new URL('./moddable/edgerule-board.js', import.meta.url)))) });
  out.push({ name: 'edgerule-config.js', kind: 'code', bytes: enc(`export default ${JSON.stringify(cfg)};\n`) });
  out.push({ name: 'main.js', kind: 'code', bytes: enc('import start from "edgerule-board";\n\nexport default function () {\n\tstart();\n}\n') });
  out.push({ name: 'manifest.json', kind: 'config', bytes: enc(manifest()) });
  out.push({ name: 'partitions.csv', kind: 'config', bytes: enc(PARTITIONS) });
  return out;
}
