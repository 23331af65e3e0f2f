// The Moddable board adapter (docs/HOSTS.md, "Moddable"): the device host (edgerule-host) on ECMA-419 IO —
// embedded:io/serial for the link and the GNSS, embedded:io/i2c for the accelerometer (the driver makes its own
// bus object from the class), embedded:io/digital for the contacts, embedded:io/analog — with the bundle slots
// and the record log in Flash partitions and the slot pointer in Preference (its two 36-byte records; values
// there are small). Top-level code only defines things, so XS can preload the module; main calls start().
import Serial from "embedded:io/serial";
import I2C from "embedded:io/i2c";
import Digital from "embedded:io/digital";
import Analog from "embedded:io/analog";
import Flash from "flash";
import Preference from "preference";
import Timer from "timer";
import EdgeRule from "edgerule-host";
import config from "edgerule-config";

const DOMAIN = "edgerule";
const POINTER_KEYS = ["lp0", "lp1"];

/** A Flash partition as a record-log region: erase all blocks, program, read. */
function region(name) {
	const flash = new Flash(name);
	return {
		size: flash.byteLength,
		erase() {
			for (let b = 0; b < flash.byteLength / flash.blockSize; b++) flash.erase(b);
			return true;
		},
		write(at, buf, start, len) {
			flash.write(at, len, buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + len));
			return true;
		},
		read(at, len) {
			return new Uint8Array(flash.read(at, len));
		},
	};
}

/** The two bundle slots, each a Flash partition: created by erasing what the file needs, then written in place. */
function slotFiles(names) {
	const flash = names.map((n) => new Flash(n));
	return {
		create(slot, size, head) {
			const f = flash[slot];
			if (size > f.byteLength) return false;
			for (let b = 0; b < Math.ceil(size / f.blockSize); b++) f.erase(b);
			f.write(0, head.length, head.buffer.slice(head.byteOffset, head.byteOffset + head.length));
			return true;
		},
		write(slot, at, buf, start, len) {
			flash[slot].write(at, len, buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + len));
			return true;
		},
		read(slot) {
			return new Uint8Array(flash[slot].map());
		},
	};
}

/** The slot pointer's records in Preference. */
const prefs = {
	keys: POINTER_KEYS,
	get(key) {
		const v = Preference.get(DOMAIN, key);
		return v === undefined ? null : new Uint8Array(v.slice(0));
	},
	put(key, bytes) {
		if (bytes.length === 0) Preference.delete(DOMAIN, key);
		else Preference.set(DOMAIN, key, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
		return true;
	},
};

/** A serial port whose writes never throw: what does not fit waits for onWritable (ECMA-419 write() throws when full). */
function serial(c, onBytes) {
	const pending = [];
	const { port, receive, transmit, baud } = c;
	const s = new Serial({
		port, receive, transmit, baud, format: "buffer",
		onReadable() {
			let b;
			while ((b = this.read()) !== undefined) onBytes(new Uint8Array(b), Date.now());
		},
		onWritable() {
			while (pending.length) {
				try {
					this.write(pending[0]);
				} catch {
					return;
				}
				pending.shift();
			}
		},
	});
	return {
		write(buf, start, len) {
			const chunk = buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + len);
			if (pending.length) pending.push(chunk);
			else {
				try {
					s.write(chunk);
				} catch {
					pending.push(chunk);
				}
			}
		},
	};
}

function identity() {
	const id = Preference.get(DOMAIN, "id");
	return id === undefined ? { device: 0 } : JSON.parse(id);
}

/** Starts the host from edgerule-config and the identity in Preference ("edgerule", "id"); returns it. */
export default function start() {
	let timer = null, link = null, h = null;
	const loop = () => {
		timer = Timer.set(loop, Math.min(h.tick(Date.now()), 1000));
	};
	const board = {
		engine: "moddable xs",
		now: () => Date.now(),
		micros: () => Date.now() * 1000,
		store: EdgeRule.hostStore(slotFiles(config.slots || ["er-slot0", "er-slot1"]), region((config.log || [])[0] || "er-log0"), region((config.log || [])[1] || "er-log1"), prefs),
		restart() {
			if (typeof config.restart === "function") config.restart();
		},
		write(buf, start, len) {
			if (link) link.write(buf, start, len);
		},
		wake() {
			if (timer !== null) Timer.clear(timer);
			timer = Timer.set(loop, 0);
		},
		analog: (config.analog || []).map((c) => {
			const a = new Analog({ pin: c.pin });
			return () => a.read();
		}),
		level: [],
	};
	if (config.accel) board.accel = EdgeRule.lis3dh({ sensor: { io: I2C, data: config.accel.data, clock: config.accel.clock, address: config.accel.address, hz: config.accel.hz } });
	if (board.accel) board.accel.configure({ rate: config.accel.hz, range: config.accel.range });
	const pins = (config.inputs || []).map((c, i) => new Digital({
		pin: c.pin, mode: Digital.InputPullUp, edge: Digital.Rising | Digital.Falling,
		onReadable() {
			if (h) h.edge(i, this.read(), Date.now());
		},
	}));
	board.level = pins.map((p) => () => p.read());
	h = EdgeRule.startHost(config, identity(), board, Date.now());
	if (h.fault) return h;
	if (config.link && !config.link.modem) link = serial(config.link, (b, t) => h.link(b, 0, b.length, t));
	if (config.gnss) serial(config.gnss, (b, t) => h.gnss(b, 0, b.length, t));
	loop();
	return h;
}
