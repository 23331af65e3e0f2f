/*
 * The 17 anti-theft rules of rules/*.ts written by hand in plain ES5, as a competent firmware engineer would ship
 * them on the tracker without edgerule: the yardstick the rule engine is measured against (npm run bench). No
 * edgerule code is used; thresholds, state machines and geofences are those of the rule files and rules/geo/.
 *
 *   var rules = HandwrittenRules(host);   // host: { emit(rule, severity, t, E, n), output(id, v), interval(ms) }
 *   rules.advanceTo(t);                   // before the samples of time t: runs the timers due before t
 *   rules.set(signal, value, t);          // a sample (catalogue signal ids, times in ms)
 *   rules.step(t);                        // after the samples of time t: evaluates what they changed
 *   rules.nextDue();                      // earliest timer (Infinity if none)
 *
 * How it is made fast, as firmware is:
 *  - each input marks exactly the blocks that read it: set() stores the value and ORs the signal's reader mask
 *    (one table read) into a dirty word; step() runs only the marked blocks, and the accelerometer-only step
 *    (25 Hz) goes straight to its three rules. A derived value (held fix, zone test, debounced power, stop
 *    count, ...) marks its readers only when it changes.
 *  - every block is a small function with its own state in its own scope: on Espruino a block that does not
 *    run is not even lexed, and names are found quickly (Espruino searches a scope by name, in declaration
 *    order: the names used on every sample are declared first). The state machines (held-for, debounce,
 *    rising edge with cooldown) are written out in each block rather than called (a call costs more than the
 *    code on Espruino and Duktape).
 *  - timers: every timed block keeps its own due time; step() looks at them only when the earliest one (one
 *    number) has come; advanceTo() runs them at their due time, so a timed alert carries the time it was due.
 *  - spatial work once per fix, with early exits: geofences are tested against bounding boxes in degrees first
 *    (one box around all approved zones, then one per zone); the route test stops at the first segment within
 *    500 m, starting from the segment that was near last time, and skips segments whose box is further away.
 *  - state in typed arrays and plain variables, nothing allocated per sample.
 *
 * Rule ids (the rules in name order), severities, attached values, outputs and reporting intervals are those of
 * the compiled library, and every block is evaluated exactly when the runtime evaluates the unit it stands for,
 * so events compare one to one with the runtime's (test/bench-equivalence.test.ts). Unknown values are NaN: NaN
 * fails every comparison, and an unknown boolean counts as false. Decimal thresholds are written as integer
 * fractions (Espruino parses decimal literals inexactly).
 */
function HandwrittenRules(host) {
  // Names used on every sample come first: Espruino finds a name by scanning its scope in declaration order.
  // Inputs (catalogue ids): 0 lat 1 lon 2 speed 3 course 4 hdop 5 sats 6 fix 7 fixAge 8–10 accel x/y/z
  // 11 accel mag 12 tilt 13 door 14 light 15 tamper 16 ignition 17 external power 18 battery 19 temperature
  // 20 cell id 21 cell rssi 22 BLE seal 23 jamming. v: values, u: time of the last sample (NaN: none yet).
  var v = new Float64Array(24), u = new Float64Array(24), RD = new Int32Array(24), D = 0;
  var due = Infinity;                                 // ≤ every block's timer (the earliest, or earlier)
  var W = new Float64Array(24);                       // each block's next timer
  var t0 = NaN;                                       // first step: start of staleness / quiet-time counting
  var E = new Float64Array(8);                        // attached values of an alert
  // derived values (NaN until first computed, like every value)
  var hLat = NaN, hLon = NaN, hDepot = NaN;           // last valid fix, and whether it is in the depot
  var notApproved = NaN;                              // the live position is outside every approved zone
  var powered = NaN, powerFell = NaN;                 // external power debounced 10 s, and its falling edge
  var stopped = NaN, stopDeb = NaN, stops = NaN;      // stopped outside the zones; debounced 60 s; stops in 30 min
  var tampered = NaN;                                 // enclosure open, debounced 500 ms
  // the blocks: derived values, then the 17 rules (ids in name order), each a function with its own state
  var gnssLoss, shockOrTamper, towing, hold, zone, stoppedOutside, doorAtRest, doorAway, movingAfterCut, offload,
    positionJump, dwell, routeDeviation, unauthorisedStop, power, stopDebounce, stopCount, tamper, depotExit, powerCut,
    lightInside, repeatedStops, resealMissing, temperature;
  var i;
  var KMH = 36 / 10;                                  // (km/h) / (m/s)
  var KMH1 = 1 / KMH, KMH3 = 3 / KMH, KMH5 = 5 / KMH, KMH10 = 10 / KMH, KMH15 = 15 / KMH;
  var JUMP2_MAX = (250 / KMH) * (250 / KMH);          // (250 km/h)² in m²/s²
  var M_PER_DEG = 63710088 / 10 * Math.PI / 180;      // metres per degree on the mean Earth radius
  var F32 = new Float32Array(1);
  function f32(x) { F32[0] = x; return F32[0]; }

  // ---- geofences, stored as trackers store them in flash: int16 multiples of a per-fence scale (1 mm to a few
  // cm), in metres east/north of the fence's mean corner, with float32 metres per degree. The same numbers as the
  // device format, so a position exactly on an edge falls on the same side. A bounding box in degrees, widened
  // by a metre (far beyond any rounding), gives the early exit.
  function Fence(lonlat, radius) {
    var n = lonlat.length / 2, k, lon0 = 0, lat0 = 0, ext = 0, mx, my, scale;
    for (k = 0; k < n; k++) lon0 += lonlat[2 * k];
    for (k = 0; k < n; k++) lat0 += lonlat[2 * k + 1];
    lon0 /= n;
    lat0 /= n;
    this.lat0 = lat0;
    this.lon0 = lon0;
    this.kx = f32(Math.cos(lat0 * Math.PI / 180) * M_PER_DEG);
    this.ky = f32(M_PER_DEG);
    this.r = radius || 0;
    this.n = this.r ? 1 : n;
    this.x = new Float32Array(this.n);
    this.y = new Float32Array(this.n);
    var mxs = new Float64Array(this.n), mys = new Float64Array(this.n);
    for (k = 0; k < this.n; k++) {
      mxs[k] = this.r ? this.r : (lonlat[2 * k] - lon0) * this.kx;
      mys[k] = this.r ? 0 : (lonlat[2 * k + 1] - lat0) * this.ky;
      if (Math.abs(mxs[k]) > ext) ext = Math.abs(mxs[k]);
      if (Math.abs(mys[k]) > ext) ext = Math.abs(mys[k]);
    }
    scale = f32(Math.max(ext / 32767, 1 / 1000));
    for (k = 0; k < this.n; k++) {
      this.x[k] = Math.round(mxs[k] / scale) * scale;
      this.y[k] = Math.round(mys[k] / scale) * scale;
    }
    if (this.r) this.r = this.x[0];
    var s = Infinity, nn = -Infinity, w = Infinity, e = -Infinity;
    for (k = 0; k < n; k++) {
      if (lonlat[2 * k + 1] < s) s = lonlat[2 * k + 1];
      if (lonlat[2 * k + 1] > nn) nn = lonlat[2 * k + 1];
      if (lonlat[2 * k] < w) w = lonlat[2 * k];
      if (lonlat[2 * k] > e) e = lonlat[2 * k];
    }
    my = (this.r + 1) / this.ky;
    mx = (this.r + 1) / this.kx;
    this.s = s - my;
    this.nn = nn + my;
    this.w = w - mx;
    this.e = e + mx;
  }
  // [lon, lat, …], polygons without the closing corner
  var DEPOT = new Fence([174.78170, -36.85885, 174.78395, -36.85880, 174.78400, -36.86000, 174.78350, -36.86100,
    174.78175, -36.86100, 174.78165, -36.85990]);
  var DELIVERY = new Fence([174.80330, -36.87488], 80);
  var REST_AREA = new Fence([174.79000, -36.86550, 174.79150, -36.86545, 174.79155, -36.86650, 174.79005, -36.86655]);
  var TRUCK_STOP = new Fence([174.79800, -36.86250, 174.79920, -36.86250, 174.79920, -36.86330, 174.79800, -36.86330]);
  var FUEL_STOP = new Fence([174.80620, -36.86850, 174.80750, -36.86845, 174.80755, -36.86950, 174.80625, -36.86955]);
  var ROUTE = new Fence([174.78288, -36.86006, 174.7822, -36.86193, 174.78392, -36.86307, 174.78577, -36.86375,
    174.78757, -36.86413, 174.78844, -36.8648, 174.78966, -36.86543, 174.79028, -36.86542, 174.79156, -36.86506,
    174.79428, -36.86499, 174.7963, -36.86427, 174.79858, -36.86394, 174.80247, -36.86436, 174.8042, -36.86576,
    174.80632, -36.86622, 174.80716, -36.86673, 174.80727, -36.8669, 174.80644, -36.86749, 174.80574, -36.86828,
    174.80492, -36.87143, 174.80504, -36.87262, 174.80486, -36.87313, 174.80394, -36.87394, 174.80354, -36.8749,
    174.80316, -36.87485]);
  var ZONES = [DELIVERY, REST_AREA, TRUCK_STOP, FUEL_STOP, DEPOT];
  // one box around every approved zone
  var ZS = Infinity, ZN = -Infinity, ZW = Infinity, ZE = -Infinity;
  for (i = 0; i < ZONES.length; i++) {
    if (ZONES[i].s < ZS) ZS = ZONES[i].s;
    if (ZONES[i].nn > ZN) ZN = ZONES[i].nn;
    if (ZONES[i].w < ZW) ZW = ZONES[i].w;
    if (ZONES[i].e > ZE) ZE = ZONES[i].e;
  }
  // the route: its segments' boxes in metres, widened by the 500 m limit (plus a metre)
  var OFF2 = 250000, OFF_M = 501, RN = ROUTE.n - 1;
  var RX0 = new Float32Array(RN), RX1 = new Float32Array(RN), RY0 = new Float32Array(RN), RY1 = new Float32Array(RN);
  var RBX0 = Infinity, RBX1 = -Infinity, RBY0 = Infinity, RBY1 = -Infinity;
  for (i = 0; i < RN; i++) {
    RX0[i] = Math.min(ROUTE.x[i], ROUTE.x[i + 1]) - OFF_M;
    RX1[i] = Math.max(ROUTE.x[i], ROUTE.x[i + 1]) + OFF_M;
    RY0[i] = Math.min(ROUTE.y[i], ROUTE.y[i + 1]) - OFF_M;
    RY1[i] = Math.max(ROUTE.y[i], ROUTE.y[i + 1]) + OFF_M;
    if (RX0[i] < RBX0) RBX0 = RX0[i];
    if (RX1[i] > RBX1) RBX1 = RX1[i];
    if (RY0[i] < RBY0) RBY0 = RY0[i];
    if (RY1[i] > RBY1) RBY1 = RY1[i];
  }

  /** Point in polygon (crossing number), or in the circle; the caller has checked the box. */
  function inFence(f, lat, lon) {
    var x = (lon - f.lon0) * f.kx, y = (lat - f.lat0) * f.ky;
    if (f.r) return x * x + y * y <= f.r * f.r;
    var fx = f.x, fy = f.y, n = f.n, j = n - 1, inPoly = false, k, yi, yj;
    for (k = 0; k < n; k++) {
      yi = fy[k];
      yj = fy[j];
      if ((yi > y) !== (yj > y) && x < fx[k] + (y - yi) * (fx[j] - fx[k]) / (yj - yi)) inPoly = !inPoly;
      j = k;
    }
    return inPoly;
  }
  function inside(f, lat, lon) {
    return lat >= f.s && lat <= f.nn && lon >= f.w && lon <= f.e && inFence(f, lat, lon);
  }
  /** Inside any approved zone (false for an unknown position). */
  function approvedAt(lat, lon) {
    if (!(lat >= ZS && lat <= ZN && lon >= ZW && lon <= ZE)) return false;
    return inside(DELIVERY, lat, lon) || inside(REST_AREA, lat, lon) || inside(TRUCK_STOP, lat, lon) ||
      inside(FUEL_STOP, lat, lon) || inside(DEPOT, lat, lon);
  }
  /** Squared distance (m²) from the position to the delivery point. */
  function deliveryDist2(lat, lon) {
    var x = (lon - DELIVERY.lon0) * DELIVERY.kx, y = (lat - DELIVERY.lat0) * DELIVERY.ky;
    return x * x + y * y;
  }
  var nearSeg = 0;
  /** More than 500 m from the planned route (false for an unknown position). */
  function offRoute(lat, lon) {
    if (!(lat === lat && lon === lon)) return false;
    var x = (lon - ROUTE.lon0) * ROUTE.kx, y = (lat - ROUTE.lat0) * ROUTE.ky;
    if (x < RBX0 || x > RBX1 || y < RBY0 || y > RBY1) return true;
    var px = ROUTE.x, py = ROUTE.y, k = nearSeg, m, ax, ay, dx, dy, len2, q, ex, ey;
    for (m = 0; m < RN; m++) {
      if (x >= RX0[k] && x <= RX1[k] && y >= RY0[k] && y <= RY1[k]) {
        ax = px[k];
        ay = py[k];
        dx = px[k + 1] - ax;
        dy = py[k + 1] - ay;
        len2 = dx * dx + dy * dy;
        q = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
        if (q < 0) q = 0; else if (q > 1) q = 1;
        ex = x - (ax + q * dx);
        ey = y - (ay + q * dy);
        if (ex * ex + ey * ey <= OFF2) { nearSeg = k; return false; }
      }
      k = k + 1 < RN ? k + 1 : 0;
    }
    return true;
  }
  /** cos of degrees by its Taylor series (only + − × ÷: the same bits on every engine). */
  function cosDeg(lat) {
    var r = lat * Math.PI / 180, r2 = r * r;
    return 1 - r2 / 2 * (1 - r2 / 12 * (1 - r2 / 30 * (1 - r2 / 56 * (1 - r2 / 90 * (1 - r2 / 132 * (1 - r2 / 182))))));
  }

  // ---- who reads what: signal → the blocks to run when it arrives (bit k: block k; rules are blocks 7 + id)
  function bit(rule) { return 1 << (7 + rule); }
  function reads(blocks, signals) { for (var k = 0; k < signals.length; k++) RD[signals[k]] |= blocks; }
  reads(1 /* hold */, [0, 1, 6]);
  reads(2 /* zone */, [0, 1]);
  reads(4 /* power */, [17]);
  reads(8 /* stopped outside */, [2, 6]);
  reads(64 /* tamper */, [15]);
  reads(bit(0), [22]);
  reads(bit(1), [2, 13]);
  reads(bit(2), [0, 1, 6, 13]);
  reads(bit(4), [2, 6, 7, 11, 23]);
  reads(bit(5), [13, 14]);
  reads(bit(6), [2, 6]);
  reads(bit(7), [2, 13]);
  reads(bit(8), [0, 1, 4, 6]);
  reads(bit(9), [16]);
  reads(bit(11), [13, 22]);
  reads(bit(12), [0, 1, 6]);
  reads(bit(13), [11]);
  reads(bit(14), [19]);
  reads(bit(15), [2, 6, 11, 16]);
  reads(bit(16), [2, 6]);
  for (i = 0; i < 24; i++) { v[i] = NaN; u[i] = NaN; W[i] = Infinity; }

  /** Blocks whose timer has come (their timer cleared), and `due` made exact for the others. */
  function dueBlocks(t) {
    var b = 0, m = Infinity, k;
    for (k = 0; k < 24; k++) {
      if (W[k] <= t) { b |= 1 << k; W[k] = Infinity; } else if (W[k] < m) m = W[k];
    }
    due = m;
    return b;
  }

  // ---- derived values; each returns the blocks to run because its value changed.
  // The state machines are written out where they are used (a call costs more than the code on Espruino):
  //   held for k ms:  since = first time the condition was seen true (NaN while false); timer at since + k
  //   debounce k ms:  output follows a candidate that has stayed k ms; timer at candidate time + k
  //   alert:          on the condition's rising edge (fired = condition at the last run), outside the cooldown
  hold = function () {
    var b = 0, la = hLat, lo = hLon, k;
    if (v[6] >= 1) { la = v[0]; lo = v[1]; }
    if (la !== hLat && (la === la || hLat === hLat)) { hLat = la; b = 65536; /* dwell */ }
    if (lo !== hLon && (lo === lo || hLon === hLon)) { hLon = lo; b = 65536; }
    if (b || hDepot !== hDepot) {
      k = inside(DEPOT, hLat, hLon) ? 1 : 0;
      if (k !== hDepot) { hDepot = k; b |= 128 | 65536; /* depot exit, dwell */ }
    }
    return b;
  };
  zone = function () {
    var k = approvedAt(v[0], v[1]) ? 0 : 1;
    if (k === notApproved) return 0;
    notApproved = k;
    return 8 | 512 | 8388608; // stopped outside, door away from stops, unauthorised stop
  };
  power = (function () {
    var out = NaN, cand = NaN, since = NaN, prev = NaN;
    return function (t) {
      var x = v[17] ? 1 : 0, w = Infinity, k, fell;
      if (out !== out) { out = cand = x; since = t; }
      if (x !== cand) { cand = x; since = t; }
      if (cand !== out) { if (t - since >= 10000) out = cand; else w = since + 10000; }
      W[2] = w;
      if (w < due) due = w;
      k = out > 0 ? 1 : 0;
      if (k === powered) return 0;
      powered = k;
      fell = !k && prev > 0 ? 1 : 0;
      prev = k;
      if (fell === powerFell) return 8192; // moving after cut
      powerFell = fell;
      return 1024 | 8192; // power cut, moving after cut
    };
  })();
  stoppedOutside = function () {
    var k = v[2] < KMH3 && v[6] >= 1 && notApproved > 0 ? 1 : 0;
    if (k === stopped) return 0;
    stopped = k;
    return 16 | 16384; // its debounce, offload
  };
  stopDebounce = (function () {
    var out = NaN, cand = NaN, since = NaN;
    return function (t) {
      var x = stopped, w = Infinity, k;
      if (out !== out) { out = cand = x; since = t; }
      if (x !== cand) { cand = x; since = t; }
      if (cand !== out) { if (t - since >= 60000) out = cand; else w = since + 60000; }
      W[4] = w;
      if (w < due) due = w;
      k = out > 0 ? 1 : 0;
      if (k === stopDeb) return 0;
      stopDeb = k;
      return 32; // stop count
    };
  })();
  /** Rising edges of the debounced stop within the last 30 min (the last 8 remembered). */
  stopCount = (function () {
    var ring = new Float64Array(8), head = 0, prev = NaN, k;
    for (k = 0; k < 8; k++) ring[k] = NaN;
    return function (t) {
      var c = stopDeb > 0, n = 0, oldest = Infinity, j, e, w;
      if (c && !(prev > 0)) {
        ring[head] = t;
        head = head + 1 < 8 ? head + 1 : 0;
      }
      prev = c ? 1 : 0;
      for (j = 0; j < 8; j++) {
        e = ring[j];
        if (e === e && t - e < 1800000) { n++; if (e < oldest) oldest = e; }
      }
      w = oldest + 1800000;
      W[5] = w;
      if (w < due) due = w;
      if (n === stops) return 0;
      stops = n;
      return 131072; // repeated stops
    };
  })();
  tamper = (function () {
    var out = NaN, cand = NaN, since = NaN;
    return function (t) {
      var x = v[15] ? 1 : 0, w = Infinity, k;
      if (out !== out) { out = cand = x; since = t; }
      if (x !== cand) { cand = x; since = t; }
      if (cand !== out) { if (t - since >= 500) out = cand; else w = since + 500; }
      W[6] = w;
      if (w < due) due = w;
      k = out > 0 ? 1 : 0;
      if (k === tampered) return 0;
      tampered = k;
      return 1048576; // shock or tamper
    };
  })();

  // ---- the rules; each emits what the compiled rule attaches
  /** 0 depot-exit-without-seal: last valid fix leaves the depot (5 s debounce) while the seal is absent */
  depotExit = (function () {
    var out = NaN, cand = NaN, since = NaN, prev = NaN, fired = 0, last = NaN;
    return function (t) {
      var x = hDepot > 0 ? 1 : 0, w = Infinity, k, c;
      if (out !== out) { out = cand = x; since = t; }
      if (x !== cand) { cand = x; since = t; }
      if (cand !== out) { if (t - since >= 5000) out = cand; else w = since + 5000; }
      W[7] = w;
      if (w < due) due = w;
      k = out > 0 ? 1 : 0;
      c = !k && prev > 0 && !v[22];
      prev = k;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 1800000)) {
          last = t;
          E[0] = hLat; E[1] = hLon; E[2] = v[2]; E[3] = v[20];
          host.emit(0, 2, t, E, 4);
          host.interval(10000);
        }
      }
    };
  })();
  /** 1 door-open-at-rest: door open below 1 km/h for 10 min */
  doorAtRest = (function () {
    var since = NaN, fired = 0, last = NaN;
    return function (t) {
      var c = false, w = Infinity;
      if (v[13] && v[2] < KMH1) {
        if (!(since <= t)) since = t;
        c = t - since >= 600000;
        if (!c) w = since + 600000;
      } else since = NaN;
      W[8] = w;
      if (w < due) due = w;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 1800000)) {
          last = t;
          E[0] = v[20]; E[1] = v[0]; E[2] = v[1];
          host.emit(1, 2, t, E, 3);
        }
      }
    };
  })();
  /** 2 door-opened-away-from-stops: door opens with a valid fix outside the zones, > 300 m from the delivery point */
  doorAway = (function () {
    var prev = NaN, fired = 0, last = NaN;
    return function (t) {
      var door = !!v[13], c = door && !(prev > 0) && v[6] >= 1 && notApproved > 0 && deliveryDist2(v[0], v[1]) > 90000;
      prev = door ? 1 : 0;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 300000)) {
          last = t;
          E[0] = v[0]; E[1] = v[1]; E[2] = v[2]; E[3] = v[20];
          host.emit(2, 2, t, E, 4);
          host.output(0, 0);
        }
      }
    };
  })();
  /** 3 external-power-cut: debounced power falls */
  powerCut = (function () {
    var fired = 0, last = NaN;
    return function (t) {
      if (!(powerFell > 0)) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 600000)) {
          last = t;
          E[0] = v[18]; E[1] = hLat; E[2] = hLon; E[3] = v[20];
          host.emit(3, 2, t, E, 4);
          host.interval(30000);
        }
      }
    };
  })();
  /** 4 gnss-loss-while-moving: no fix for 60 s, or jamming (> 80, clears < 40) for 10 s, while recently moving */
  gnssLoss = (function () {
    var G085 = 85 / 100, G115 = 115 / 100;
    var jamOn = NaN, jamSince = NaN, quiet = NaN, latch = NaN, fired = 0, last = NaN;
    return function (t) {
      var w = Infinity, x = u[6] === u[6] ? u[6] : t0, stale = t - x >= 60000, jammed = false, moving, c;
      if (!stale) w = x + 60000;
      if (v[23] > 80) jamOn = 1; else if (v[23] < 40) jamOn = 0;
      if (jamOn > 0) {
        if (!(jamSince <= t)) jamSince = t;
        jammed = t - jamSince >= 10000;
        if (!jammed && jamSince + 10000 < w) w = jamSince + 10000;
      } else jamSince = NaN;
      moving = v[2] > KMH10 || v[11] < G085 || v[11] > G115;
      if (moving) quiet = Infinity; else if (quiet === Infinity) quiet = t;
      x = quiet === quiet ? quiet : t0;
      if (t - x >= 300000) latch = 0;
      else {
        if (x + 300000 < w) w = x + 300000;
        if (moving) latch = 1;
      }
      W[11] = w;
      if (w < due) due = w;
      c = (v[7] > 60000 || stale || jammed) && latch > 0;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 600000)) {
          last = t;
          E[0] = v[20]; E[1] = v[21]; E[2] = hLat; E[3] = hLon; E[4] = v[23]; E[5] = v[7];
          host.emit(4, 2, t, E, 6);
        }
      }
    };
  })();
  /** 5 light-in-closed-container: light (> 20 lux, clears < 5) with the door closed for 5 s */
  lightInside = (function () {
    var lit = NaN, since = NaN, fired = 0, last = NaN;
    return function (t) {
      var c = false, w = Infinity;
      if (v[14] > 20) lit = 1; else if (v[14] < 5) lit = 0;
      if (lit > 0 && !v[13]) {
        if (!(since <= t)) since = t;
        c = t - since >= 5000;
        if (!c) w = since + 5000;
      } else since = NaN;
      W[12] = w;
      if (w < due) due = w;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 900000)) {
          last = t;
          E[0] = v[14]; E[1] = hLat; E[2] = hLon; E[3] = v[20];
          host.emit(5, 2, t, E, 4);
          host.output(2, 1);
        }
      }
    };
  })();
  /** 6 moving-after-power-cut: since the power fell (until it is back), a valid fix above 10 km/h for 30 s */
  movingAfterCut = (function () {
    var prev = NaN, cut = NaN, since = NaN, fired = 0, last = NaN;
    return function (t) {
      var on = powered > 0, c = false, w = Infinity;
      if (on && !(prev > 0)) cut = 0; else if (powerFell > 0) cut = 1;
      prev = on ? 1 : 0;
      if (cut > 0 && v[6] >= 1 && v[2] > KMH10) {
        if (!(since <= t)) since = t;
        c = t - since >= 30000;
        if (!c) w = since + 30000;
      } else since = NaN;
      W[13] = w;
      if (w < due) due = w;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 1800000)) {
          last = t;
          E[0] = v[2]; E[1] = v[18]; E[2] = v[0]; E[3] = v[1]; E[4] = v[20];
          host.emit(6, 2, t, E, 5);
          host.output(1, 1);
          host.interval(15000);
        }
      }
    };
  })();
  /** 7 offload-at-unapproved-stop: stopped outside for 1 min, then door open, then above 15 km/h, within 30 min */
  offload = (function () {
    var since = NaN, seq = 0, seqT = NaN, fired = 0, last = NaN;
    return function (t) {
      var longStop = false, w = Infinity, k, c;
      if (stopped > 0) {
        if (!(since <= t)) since = t;
        longStop = t - since >= 60000;
        if (!longStop) w = since + 60000;
      } else since = NaN;
      W[14] = w;
      if (w < due) due = w;
      k = seq;
      if (k > 0 && t - seqT > 1800000) k = 0;
      if (k === 0 && longStop) { seqT = t; k = 1; } else if (k === 1 && v[13]) k = 2; else if (k === 2 && v[2] > KMH15) k = 3;
      c = k === 3;
      seq = c ? 0 : k;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 1800000)) {
          last = t;
          E[0] = v[0]; E[1] = v[1]; E[2] = v[2]; E[3] = v[20];
          host.emit(7, 2, t, E, 4);
          host.output(0, 0);
          host.interval(15000);
        }
      }
    };
  })();
  /** 8 position-jump: implied speed above 250 km/h with a valid fix and HDOP below 5 */
  positionJump = (function () {
    var pLat = NaN, pLon = NaN, pT = NaN, cLat = NaN, cLon = NaN, cT = NaN, jump2 = NaN, fired = 0, last = NaN;
    return function (t) {
      var ft = u[0], dt, dx, dy;
      if (ft === ft && ft !== cT && v[0] === v[0] && v[1] === v[1]) {
        // a fix within 200 ms of the last one is the same epoch reported twice: it replaces it
        if (!(ft - cT < 200)) { pLat = cLat; pLon = cLon; pT = cT; }
        cLat = v[0]; cLon = v[1]; cT = ft;
        dt = (cT - pT) / 1000;
        if (pT === pT && dt > 0) {
          dy = (cLat - pLat) * 111195;
          dx = (cLon - pLon) * 111195 * cosDeg(cLat);
          jump2 = (dx * dx + dy * dy) / (dt * dt);
        } else jump2 = 0;
      }
      if (!(jump2 > JUMP2_MAX && v[6] >= 1 && v[4] < 5)) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 600000)) {
          last = t;
          E[0] = v[0]; E[1] = v[1]; E[2] = v[2]; E[3] = v[4]; E[4] = v[5]; E[5] = v[20]; E[6] = v[21];
          host.emit(8, 2, t, E, 7);
          host.interval(10000);
        }
      }
    };
  })();
  /** 9 prolonged-dwell: ignition off, last valid fix outside every approved zone, for 45 min */
  dwell = (function () {
    var since = NaN, fired = 0, last = NaN;
    return function (t) {
      var ign = v[16], c = false, w = Infinity;
      if (ign === ign && !ign && hLat >= -90 && !(hDepot > 0 || approvedAt(hLat, hLon))) {
        if (!(since <= t)) since = t;
        c = t - since >= 2700000;
        if (!c) w = since + 2700000;
      } else since = NaN;
      W[16] = w;
      if (w < due) due = w;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 7200000)) {
          last = t;
          E[0] = hLat; E[1] = hLon; E[2] = v[20]; E[3] = v[18];
          host.emit(9, 2, t, E, 4);
        }
      }
    };
  })();
  /** 10 repeated-stop-start: 4 or more stops within 30 min */
  repeatedStops = (function () {
    var fired = 0, last = NaN;
    return function (t) {
      if (!(stops >= 4)) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 1800000)) {
          last = t;
          E[0] = stops; E[1] = v[0]; E[2] = v[1]; E[3] = v[20];
          host.emit(10, 1, t, E, 4);
        }
      }
    };
  })();
  /** 11 reseal-missing-after-door: no seal within 10 min of the door closing */
  resealMissing = (function () {
    var doorPrev = NaN, closedPrev = NaN, wait = NaN, fired = 0, last = NaN;
    return function (t) {
      var door = !!v[13], closed = !door && doorPrev > 0, c = false, w = Infinity;
      doorPrev = door ? 1 : 0;
      if (closed && !(closedPrev > 0)) wait = t;
      closedPrev = closed ? 1 : 0;
      if (wait === wait) {
        if (v[22]) wait = NaN;
        else if (t - wait >= 600000) { c = true; wait = NaN; } else w = wait + 600000;
      }
      W[18] = w;
      if (w < due) due = w;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 0)) {
          last = t;
          E[0] = hLat; E[1] = hLon; E[2] = v[20];
          host.emit(11, 1, t, E, 3);
        }
      }
    };
  })();
  /** 12 route-deviation: a valid fix more than 500 m from the planned route for 2 min */
  routeDeviation = (function () {
    var lat = NaN, lon = NaN, off = false, since = NaN, fired = 0, last = NaN;
    return function (t) {
      var c = false, w = Infinity;
      if (v[0] !== lat || v[1] !== lon) { lat = v[0]; lon = v[1]; off = offRoute(lat, lon); }
      if (off && v[6] >= 1) {
        if (!(since <= t)) since = t;
        c = t - since >= 120000;
        if (!c) w = since + 120000;
      } else since = NaN;
      W[19] = w;
      if (w < due) due = w;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 900000)) {
          last = t;
          E[0] = v[0]; E[1] = v[1]; E[2] = v[2]; E[3] = v[3]; E[4] = v[20];
          host.emit(12, 1, t, E, 5);
          host.interval(30000);
        }
      }
    };
  })();
  /** 13 shock-or-tamper: above 4 g, or the enclosure open for 500 ms */
  shockOrTamper = (function () {
    var fired = 0, last = NaN;
    return function (t) {
      if (!(v[11] > 4 || tampered > 0)) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 60000)) {
          last = t;
          E[0] = v[11]; E[1] = tampered > 0 ? 1 : 0; E[2] = v[12]; E[3] = hLat; E[4] = hLon; E[5] = v[20];
          host.emit(13, 2, t, E, 6);
        }
      }
    };
  })();
  /** 14 temperature-excursion: above 8 °C (clears < 7.5) or below 2 °C (clears > 2.5) for 15 min */
  temperature = (function () {
    var warm = NaN, cold = NaN, since = NaN, fired = 0, last = NaN;
    return function (t) {
      var temp = v[19], c = false, w = Infinity;
      if (temp > 8) warm = 1; else if (temp < 15 / 2) warm = 0;
      if (-temp > -2) cold = 1; else if (-temp < -5 / 2) cold = 0;
      if (warm > 0 || cold > 0) {
        if (!(since <= t)) since = t;
        c = t - since >= 900000;
        if (!c) w = since + 900000;
      } else since = NaN;
      W[21] = w;
      if (w < due) due = w;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 3600000)) {
          last = t;
          E[0] = temp; E[1] = hLat; E[2] = hLon; E[3] = v[20];
          host.emit(14, 2, t, E, 4);
        }
      }
    };
  })();
  /** 15 towing: ignition off while moving (fix above 5 km/h, or vibration outside 0.75–1.25 g within 5 s) for 30 s */
  towing = (function () {
    var G075 = 3 / 4, G125 = 5 / 4;
    var quiet = NaN, since = NaN, fired = 0, last = NaN;
    return function (t) {
      var mag = v[11], ign = v[16], w = Infinity, x, still, c = false;
      if (mag < G075 || mag > G125) quiet = Infinity; else if (quiet === Infinity) quiet = t;
      x = quiet === quiet ? quiet : t0;
      still = t - x >= 5000;
      if (!still) w = x + 5000;
      if (ign === ign && !ign && (v[2] > KMH5 && v[6] >= 1 || !still)) {
        if (!(since <= t)) since = t;
        c = t - since >= 30000;
        if (!c && since + 30000 < w) w = since + 30000;
      } else since = NaN;
      W[22] = w;
      if (w < due) due = w;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 1800000)) {
          last = t;
          E[0] = v[2]; E[1] = mag; E[2] = v[12]; E[3] = hLat; E[4] = hLon; E[5] = v[20];
          host.emit(15, 2, t, E, 6);
          host.interval(10000);
        }
      }
    };
  })();
  /** 16 unauthorised-stop: stopped (< 3 km/h until > 5 km/h) with a valid fix outside the zones for 5 min */
  unauthorisedStop = (function () {
    var moving = NaN, since = NaN, fired = 0, last = NaN;
    return function (t) {
      var c = false, w = Infinity;
      if (v[2] > KMH5) moving = 1; else if (v[2] < KMH3) moving = 0;
      if (!(moving > 0) && v[6] >= 1 && notApproved > 0) {
        if (!(since <= t)) since = t;
        c = t - since >= 300000;
        if (!c) w = since + 300000;
      } else since = NaN;
      W[23] = w;
      if (w < due) due = w;
      if (!c) fired = 0;
      else if (!fired) {
        fired = 1;
        if (!(t - last < 1800000)) {
          last = t;
          E[0] = v[0]; E[1] = v[1]; E[2] = v[2]; E[3] = v[20];
          host.emit(16, 1, t, E, 4);
          host.interval(60000);
        }
      }
    };
  })();

  // ---- the API
  function set(signal, value, t) {
    v[signal] = value;
    u[signal] = t;
    D |= RD[signal];
  }
  /** Runs the blocks the samples of time t marked, and those whose timer has come, in order. */
  function step(t) {
    var d = D;
    D = 0;
    if (t0 !== t0) { t0 = t; d = 16777215; /* everything, once */ }
    if (due <= t) d |= dueBlocks(t);
    // the accelerometer alone (25 Hz): gnss loss, shock or tamper, towing
    if (d === 5244928) { gnssLoss(t); shockOrTamper(t); towing(t); return; }
    if (d & 127) {
      if (d & 1) d |= hold();
      if (d & 2) d |= zone();
      if (d & 4) d |= power(t);
      if (d & 8) d |= stoppedOutside();
      if (d & 16) d |= stopDebounce(t);
      if (d & 32) d |= stopCount(t);
      if (d & 64) d |= tamper(t);
    }
    if (d & 65408) {
      if (d & 128) depotExit(t);
      if (d & 256) doorAtRest(t);
      if (d & 512) doorAway(t);
      if (d & 1024) powerCut(t);
      if (d & 2048) gnssLoss(t);
      if (d & 4096) lightInside(t);
      if (d & 8192) movingAfterCut(t);
      if (d & 16384) offload(t);
      if (d & 32768) positionJump(t);
    }
    if (d & 16711680) {
      if (d & 65536) dwell(t);
      if (d & 131072) repeatedStops(t);
      if (d & 262144) resealMissing(t);
      if (d & 524288) routeDeviation(t);
      if (d & 1048576) shockOrTamper(t);
      if (d & 2097152) temperature(t);
      if (d & 4194304) towing(t);
      if (d & 8388608) unauthorisedStop(t);
    }
  }
  function nextDue() {
    dueBlocks(-Infinity);
    return due;
  }
  /** Timers due before t, in time order, each run at the time it is due. */
  function advanceTo(t) {
    var last = -Infinity;
    while (due < t && due > last) {
      last = due;
      step(last);
    }
  }
  return { set: set, step: step, advanceTo: advanceTo, nextDue: nextDue };
}
