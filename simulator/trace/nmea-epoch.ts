/**
 * Assembles NMEA sentences into epochs and epochs into samples.
 *
 * - Epoch = the sentences sharing a UTC time-of-day. Sentences without a time (VTG, GSA, or an empty time
 *   field) join the open epoch; a repeated RMC/GGA/GLL/VTG/GNS without time starts a new one. An epoch never
 *   given a time cannot be placed and is reported. Within an epoch the first sentence to state a value wins;
 *   fix quality goes by source priority GGA > GNS > RMC > GLL > GSA.
 * - Each placed epoch emits one set of samples (fix first, then lat, lon, speed, course, hdop, sats); a void
 *   fix emits only gnss.fix = 0.
 * - Date from RMC/ZDA; epochs before the first date are shifted once it is known. With no date at all, t counts
 *   from 1970-01-01 (hasDate = false), or from the UTC day of startMs. Time-of-day falling by more than 12 h is
 *   a midnight rollover (next day).
 */
import { signalMeta } from '../../compiler/dsl/catalogue.ts';
import type { TraceIssue } from './issues.ts';
import type { RecordSink } from './order.ts';
import type { SentenceFacts } from './nmea-sentences.ts';
import { T_SPLIT } from '../../runtime/host/nmea-defs.ts';

const LAT = signalMeta('gnss.lat').id, LON = signalMeta('gnss.lon').id, SPEED = signalMeta('gnss.speed').id;
const COURSE = signalMeta('gnss.course').id, HDOP = signalMeta('gnss.hdop').id, SATS = signalMeta('gnss.sats').id;
const FIX = signalMeta('gnss.fix').id;

const DAY = 86_400_000;

/** The epoch being collected. */
class Epoch {
  open = false;
  types = 0;
  tod = -1;
  firstLine = 0;
  lastLine = 0;
  sentences = 0;
  lat = NaN; lon = NaN; speed = NaN; course = NaN; hdop = NaN; sats = NaN;
  fix = -1;
  fixRank = -1;
  date = NaN;

  reset(): void {
    this.open = false; this.types = 0; this.tod = -1; this.sentences = 0;
    this.lat = NaN; this.lon = NaN; this.speed = NaN; this.course = NaN; this.hdop = NaN; this.sats = NaN;
    this.fix = -1; this.fixRank = -1; this.date = NaN;
  }

  /** First statement wins; fix by source priority. */
  take(s: SentenceFacts): void {
    if (s.date === s.date && this.date !== this.date) this.date = s.date;
    if (s.fix >= 0 && s.fixRank > this.fixRank) { this.fix = s.fix; this.fixRank = s.fixRank; }
    if (this.lat !== this.lat && s.lat === s.lat && s.lon === s.lon) { this.lat = s.lat; this.lon = s.lon; }
    if (this.speed !== this.speed && s.speed === s.speed) this.speed = s.speed;
    if (this.course !== this.course && s.course === s.course) this.course = s.course;
    if (this.hdop !== this.hdop && s.hdop === s.hdop) this.hdop = s.hdop;
    if (this.sats !== this.sats && s.sats === s.sats) this.sats = s.sats;
  }
}

export class EpochAssembler {
  epochs = 0; untimedEpochs = 0; emptyEpochs = 0; voidEpochs = 0; fixEpochs = 0; dayRollovers = 0;
  /** A calendar date has been seen (else t counts from 1970-01-01). */
  hasDate = false;
  /** UTC midnight of the current day (provisional 0 = 1970-01-01 until a date is seen). */
  private dayMs = 0;
  private prevTod = -1;
  private readonly ep = new Epoch();

  constructor(private readonly file: string, private readonly issues: TraceIssue[], private readonly sink: RecordSink) {}

  /** Adds a well-formed sentence seen on `line`; it may close the open epoch first. */
  add(s: SentenceFacts, line: number): void {
    const ep = this.ep;
    if (ep.open) {
      const repeated = (ep.types & s.type & T_SPLIT) !== 0;
      if (s.tod >= 0 ? (ep.tod >= 0 ? s.tod !== ep.tod : repeated) : repeated) this.close();
    }
    if (!ep.open) { ep.open = true; ep.firstLine = line; }
    if (s.tod >= 0) ep.tod = s.tod;
    ep.types |= s.type;
    ep.sentences++;
    ep.lastLine = line;
    ep.take(s);
  }

  /** Ends the open epoch: places it in time and emits its samples. */
  close(): void {
    const ep = this.ep;
    if (!ep.open) return;
    this.epochs++;
    if (ep.tod < 0) this.untimed();
    else {
      this.placeDay();
      this.emit();
    }
    ep.reset();
  }

  /** No date in the log: startMs supplies the UTC date of the first day (its time of day is ignored). */
  finish(startMs: number | undefined): void {
    this.close();
    if (!this.hasDate && startMs !== undefined) this.sink.shiftAll(Math.floor(startMs / DAY) * DAY);
  }

  private untimed(): void {
    const ep = this.ep;
    this.untimedEpochs++;
    if (ep.fix === 0) this.voidEpochs++;
    this.issues.push({
      file: this.file, line: ep.firstLine,
      reason: `epoch without UTC time-of-day (${ep.sentences} sentence${ep.sentences === 1 ? '' : 's'}, lines ${ep.firstLine}–${ep.lastLine}${ep.fix === 0 ? ', void fix' : ''}): cannot be placed in time, skipped`,
    });
  }

  /** The day of the epoch: its date, a midnight rollover, or the day before; shifts earlier epochs at the first date. */
  private placeDay(): void {
    const ep = this.ep;
    const rollover = this.prevTod >= 0 && ep.tod < this.prevTod - DAY / 2;
    if (ep.date === ep.date) {
      if (!this.hasDate) {
        const delta = ep.date - (rollover ? this.dayMs + DAY : this.dayMs);
        if (delta !== 0) this.sink.shiftAll(delta);
        this.hasDate = true;
      } else if (rollover) this.dayRollovers++;
      this.dayMs = ep.date;
    } else if (rollover) {
      this.dayMs += DAY;
      this.dayRollovers++;
    }
    this.prevTod = ep.tod;
  }

  private emit(): void {
    const ep = this.ep, sink = this.sink, fix = ep.fix;
    const hasPos = fix !== 0 && ep.lat === ep.lat && ep.lon === ep.lon;
    const any = fix >= 0 || hasPos || ep.speed === ep.speed || ep.course === ep.course || ep.hdop === ep.hdop || ep.sats === ep.sats;
    if (!any) { this.emptyEpochs++; return; }
    if (fix === 0) this.voidEpochs++;
    else if (fix > 0 || hasPos) this.fixEpochs++;
    if (!sink.begin(this.dayMs + ep.tod, ep.firstLine)) return;
    if (fix === 0) { sink.push(FIX, 0); return; }
    if (fix >= 0) sink.push(FIX, fix);
    else if (hasPos) sink.push(FIX, 1);
    if (hasPos) { sink.push(LAT, ep.lat); sink.push(LON, ep.lon); }
    if (ep.speed === ep.speed) sink.push(SPEED, ep.speed);
    if (ep.course === ep.course) sink.push(COURSE, ep.course);
    if (ep.hdop === ep.hdop) sink.push(HDOP, ep.hdop);
    if (ep.sats === ep.sats) sink.push(SATS, ep.sats);
  }

  stats(): Record<string, number> {
    const { epochs, untimedEpochs, emptyEpochs, voidEpochs, fixEpochs, dayRollovers } = this;
    return { epochs, untimedEpochs, emptyEpochs, voidEpochs, fixEpochs, dayRollovers };
  }
}
