/**
 * `edgerule ports`: the machine's serial ports, read from Linux sysfs (/sys/class/tty) — the same facts udev
 * uses, without needing udevadm: for USB adapters the vendor and product ids, serial number, manufacturer and
 * product strings of the USB device the port belongs to. Built-in UARTs that Linux lists without hardware
 * behind them (ttyS* on the platform bus with no real port) are left out, as pyserial and serialport do.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../cli/command.ts';
import { EXIT } from '../cli/exit-codes.ts';

export interface PortInfo {
  path: string;
  /** Bus of the device behind the port (usb, pci, pnp, platform, serial-base, …). */
  subsystem: string;
  driver?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
}

function readAttr(dir: string, name: string): string | undefined {
  try {
    return readFileSync(join(dir, name), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The nearest directory at or above `dir` that describes a USB device (it has idVendor). */
function usbDevice(dir: string, root: string): string | undefined {
  for (let d = dir; d.startsWith(root) && d !== root; d = dirname(d)) if (existsSync(join(d, 'idVendor'))) return d;
  return undefined;
}

/** Serial ports under `sysfs` (default /sys), sorted by path. */
export function listPorts(sysfs = '/sys', dev = '/dev'): PortInfo[] {
  const classDir = join(sysfs, 'class/tty');
  if (!existsSync(classDir)) return [];
  const out: PortInfo[] = [];
  for (const name of readdirSync(classDir)) {
    const link = join(classDir, name, 'device');
    if (!existsSync(link)) continue;
    const device = realpathSync(link);
    const subsystem = existsSync(join(device, 'subsystem')) ? basename(realpathSync(join(device, 'subsystem'))) : 'unknown';
    // 8250 UARTs the kernel registers whether or not hardware exists: only those with a known port type are real.
    if (/^ttyS\d+$/.test(name) && (subsystem === 'platform' || subsystem === 'serial-base') && readAttr(join(classDir, name), 'type') === '0') continue;
    const driver = existsSync(join(device, 'driver')) ? basename(realpathSync(join(device, 'driver'))) : undefined;
    const info: PortInfo = { path: join(dev, name), subsystem, ...(driver ? { driver } : {}) };
    const usb = subsystem === 'usb' || subsystem === 'usb-serial' ? usbDevice(device, realpathSync(sysfs)) : undefined;
    if (usb) {
      info.subsystem = 'usb';
      info.vendorId = readAttr(usb, 'idVendor');
      info.productId = readAttr(usb, 'idProduct');
      info.serialNumber = readAttr(usb, 'serial');
      info.manufacturer = readAttr(usb, 'manufacturer');
      info.product = readAttr(usb, 'product');
    }
    out.push(info);
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function formatPorts(ports: PortInfo[]): string {
  if (!ports.length) return 'no serial ports found (USB adapters appear as /dev/ttyUSB* or /dev/ttyACM*; a virtual device prints its own port)';
  const rows = ports.map((p) => [p.path, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : '-', p.serialNumber ?? '-', [p.manufacturer, p.product].filter(Boolean).join(' ') || p.subsystem + (p.driver ? ` (${p.driver})` : '')]);
  const head = ['port', 'vid:pid', 'serial', 'description'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

export const portsCommand: Command = {
  summary: 'list serial ports, with USB vendor/product ids and serial numbers',
  usage: `usage: edgerule ports [--json]

Lists the serial ports Linux knows (from /sys/class/tty): the device path, and for USB adapters the USB vendor
and product ids, serial number, manufacturer and product. --json prints an array of objects.`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, sysfs: { type: 'string' } } });
    const ports = listPorts(values.sysfs ?? '/sys');
    io.log(values.json ? JSON.stringify(ports, null, 2) : formatPorts(ports));
    return EXIT.OK;
  },
};
