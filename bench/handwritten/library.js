/*
 * The 17 anti-theft rules of rules/*.ts written by hand in plain ES5, as a firmware engineer would write them
 * directly for the tracker without edgerule: the baseline the rule engine's speed and size are measured against
 * (npm run bench). No edgerule code is used; thresholds, state machines and geofences are those of the rule
 * files and rules/geo/*.geojson.
 *
 *   var rules = HandwrittenRules(host);   // host: { emit(rule, severity, t, E, n), output(id, v), interval(ms) }
 *   rules.set(signal, value, t);          // a sample (catalogue signal ids, times in ms)
 *   rules.step(t);                        // after the samples of time t: evaluates every rule
 *
 * The usual hand-written loop: every step re-evaluates every rule, timers (held-for, debounce, windows,
 * deadlines) are checked on each step, so a timed alert comes at the first step at or after its due time.
 * Geofence and route tests run once per new position (the GNSS handler's job), not on every accelerometer step.
 * Rule ids, severities, attached values, outputs and reporting intervals are those of the compiled library
 * (ids are the rules in name order), so events compare one to one with the bytecode runtime's.
 * Unknown values are NaN; NaN fails every comparison, and an unknown boolean counts as false.
 */
function HandwrittenRules(host) {
  var M_PER_DEG = 6371008.8 * Math.PI / 180;
  var KMH1 = 1 / 3.6, KMH3 = 3 / 3.6, KMH5 = 5 / 3.6, KMH10 = 10 / 3.6, KMH15 = 15 / 3.6;
  var JUMP2_MAX = (250 / 3.6) * (250 / 3.6); // (250 km/h)² in m²/s²

  // ---- geofences: local metres east/north of each fence's own centre (float32, like the device stores them)
  function Fence(lonlat, radius) {
    var n = lonlat.length / 2, i;
    var lon0 = 0, lat0 = 0;
    for (i = 0; i < n; i++) lon0 += lonlat[2 * i];
    for (i = 0; i < n; i++) lat0 += lonlat[2 * i + 1];
    lon0 /= n;
    lat0 /= n;
    this.lat0 = lat0;
    this.lon0 = lon0;
    this.kx = Math.cos(lat0 * Math.PI / 180) * M_PER_DEG;
    this.ky = M_PER_DEG;
    this.n = n;
    this.r = radius;
    this.x = new Float32Array(n);
    this.y = new Float32Array(n);
    for (i = 0; i < n; i++) {
      this.x[i] = (lonlat[2 * i] - lon0) * this.kx;
      this.y[i] = (lonlat[2 * i + 1] - lat0) * this.ky;
    }
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

  /** Point in polygon (crossing number), or in the circle. */
  function inside(f, lat, lon) {
    if (!(lat === lat && lon === lon)) return false;
    var x = (lon - f.lon0) * f.kx, y = (lat - f.lat0) * f.ky;
    if (f.r) return x * x + y * y <= f.r * f.r;
    var fx = f.x, fy = f.y, n = f.n, j = n - 1, inPoly = false;
    for (var i = 0; i < n; i++) {
      var yi = fy[i], yj = fy[j];
      if ((yi > y) !== (yj > y) && x < fx[i] + (y - yi) * (fx[j] - fx[i]) / (yj - yi)) inPoly = !inPoly;
      j = i;
    }
    return inPoly;
  }
  /** Squared distance (m²) from the position to the route polyline. */
  function routeDist2(lat, lon) {
    if (!(lat === lat && lon === lon)) return NaN;
    var f = ROUTE, x = (lon - f.lon0) * f.kx, y = (lat - f.lat0) * f.ky, best = Infinity;
    for (var i = 0; i + 1 < f.n; i++) {
      var ax = f.x[i], ay = f.y[i], dx = f.x[i + 1] - ax, dy = f.y[i + 1] - ay;
      var len2 = dx * dx + dy * dy;
      var u = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
      if (u < 0) u = 0; else if (u > 1) u = 1;
      var ex = x - (ax + u * dx), ey = y - (ay + u * dy), d = ex * ex + ey * ey;
      if (d < best) best = d;
    }
    return best;
  }
  /** Squared distance (m²) from the position to the delivery point's centre. */
  function deliveryDist2(lat, lon) {
    var x = (lon - DELIVERY.lon0) * DELIVERY.kx, y = (lat - DELIVERY.lat0) * DELIVERY.ky;
    return x * x + y * y;
  }

  // ---- inputs (catalogue ids): 0 lat 1 lon 2 speed 3 course 4 hdop 5 sats 6 fix 7 fixAge 8–10 accel x/y/z
  // 11 accel mag 12 tilt 13 door 14 light 15 tamper 16 ignition 17 external power 18 battery 19 temperature
  // 20 cell id 21 cell rssi 22 BLE seal 23 jamming
  var v = new Float64Array(24);
  for (var s0 = 0; s0 < 24; s0++) v[s0] = NaN;
  var fixT = NaN, latT = NaN, posNew = true;
  var E = new Float64Array(8);

  // ---- derived state
  var t0 = NaN;                                   // first step: start of staleness / quiet-time counting
  var hLat = NaN, hLon = NaN;                     // last valid fix (sample and hold)
  var cLat = NaN, cLon = NaN, hDepot = false, hApproved = false; // zone tests of the held fix
  var approved = false, deliveryD2 = NaN, routeD2 = NaN;          // zone tests of the live position
  var jPrevLat = NaN, jPrevLon = NaN, jPrevT = NaN, jLat = NaN, jLon = NaN, jT = NaN, jump2 = 0; // implied speed²
  var pwOut = NaN, pwCand = NaN, pwSince = NaN, pwPrev = 0;      // external power, 10 s debounce
  var stOut = NaN, stCand = NaN, stSince = NaN, stPrev = 0;      // stopped outside zones, 60 s debounce
  var stRing = new Float64Array(8), stHead = 0;                  // its rising edges (repeated stops)
  for (var r0 = 0; r0 < 8; r0++) stRing[r0] = NaN;
  var tpOut = NaN, tpCand = NaN, tpSince = NaN;                  // tamper switch, 500 ms debounce
  var stopSince = NaN;                                           // stopped outside zones for 1 min (offload)
  // ---- per-rule state; fire state: condition at the last step and time of the last alert (cooldowns)
  var depOut = NaN, depCand = NaN, depSince = NaN, depPrev = 0, f0 = 0, l0 = NaN;
  var restSince = NaN, f1 = 0, l1 = NaN;
  var doorPrev = 0, f2 = 0, l2 = NaN;
  var f3 = 0, l3 = NaN;
  var jamOn = 0, jamSince = NaN, movQuiet = NaN, movLatch = 0, f4 = 0, l4 = NaN;
  var litOn = 0, litSince = NaN, f5 = 0, l5 = NaN;
  var cut = 0, cutSince = NaN, f6 = 0, l6 = NaN;
  var seqStep = 0, seqT = NaN, f7 = 0, l7 = NaN;
  var f8 = 0, l8 = NaN;
  var dwellSince = NaN, f9 = 0, l9 = NaN;
  var f10 = 0, l10 = NaN;
  var doorPrev11 = 0, resealWait = NaN, f11 = 0, l11 = NaN;
  var offSince = NaN, f12 = 0, l12 = NaN;
  var f13 = 0, l13 = NaN;
  var warm = 0, cold = 0, tempSince = NaN, f14 = 0, l14 = NaN;
  var vibQuiet = NaN, towSince = NaN, f15 = 0, l15 = NaN;
  var moving16 = 0, unauthSince = NaN, f16 = 0, l16 = NaN;

  function set(signal, value, t) {
    if (!(signal >= 0 && signal < 24)) return false;
    v[signal] = value;
    if (signal === 0) { latT = t; posNew = true; } else if (signal === 1) posNew = true; else if (signal === 6) fixT = t;
    return true;
  }

  function step(t) {
    if (t0 !== t0) t0 = t;
    var lat = v[0], lon = v[1], speed = v[2], fixOk = v[6] >= 1, mag = v[11], door = !!v[13];
    var seal = !!v[22], ign = v[16], cell = v[20], c, k, i;

    // position-derived values: once per new position
    if (fixOk) { hLat = lat; hLon = lon; }
    if (hLat !== cLat || hLon !== cLon) {
      cLat = hLat; cLon = hLon;
      hDepot = inside(DEPOT, hLat, hLon);
      hApproved = inside(DELIVERY, hLat, hLon) || inside(REST_AREA, hLat, hLon) || inside(TRUCK_STOP, hLat, hLon) ||
        inside(FUEL_STOP, hLat, hLon) || hDepot;
    }
    if (posNew) {
      posNew = false;
      approved = inside(DELIVERY, lat, lon) || inside(REST_AREA, lat, lon) || inside(TRUCK_STOP, lat, lon) ||
        inside(FUEL_STOP, lat, lon) || inside(DEPOT, lat, lon);
      deliveryD2 = deliveryDist2(lat, lon);
      routeD2 = routeDist2(lat, lon);
      // implied speed² between the two latest fixes (m²/s²)
      if (latT === latT && latT !== jT && lat === lat && lon === lon) {
        jPrevLat = jLat; jPrevLon = jLon; jPrevT = jT;
        jLat = lat; jLon = lon; jT = latT;
        var dt = (jT - jPrevT) / 1000;
        if (jPrevT === jPrevT && dt > 0) {
          var dy = (jLat - jPrevLat) * 111195, dx = (jLon - jPrevLon) * 111195 * Math.cos(jLat * Math.PI / 180);
          jump2 = (dx * dx + dy * dy) / (dt * dt);
        } else jump2 = 0;
      }
    }

    // external power present, debounced 10 s; its edges
    k = v[17] ? 1 : 0;
    if (pwOut !== pwOut) { pwOut = pwCand = k; pwSince = t; }
    if (k !== pwCand) { pwCand = k; pwSince = t; }
    if (pwCand !== pwOut && t - pwSince >= 10000) pwOut = pwCand;
    var pwRise = pwOut > 0 && !(pwPrev > 0), pwFall = !(pwOut > 0) && pwPrev > 0;
    pwPrev = pwOut;

    // stopped (< 3 km/h) with a valid fix outside every approved zone; debounced 60 s; edges in the last 30 min
    var stopped = speed < KMH3 && fixOk && !approved;
    k = stopped ? 1 : 0;
    if (stOut !== stOut) { stOut = stCand = k; stSince = t; }
    if (k !== stCand) { stCand = k; stSince = t; }
    if (stCand !== stOut && t - stSince >= 60000) stOut = stCand;
    if (stOut > 0 && !(stPrev > 0)) { stRing[stHead] = t; stHead = stHead + 1 < 8 ? stHead + 1 : 0; }
    stPrev = stOut;
    var stops = 0;
    for (i = 0; i < 8; i++) if (t - stRing[i] < 1800000) stops++;

    // tamper switch open, debounced 500 ms
    k = v[15] ? 1 : 0;
    if (tpOut !== tpOut) { tpOut = tpCand = k; tpSince = t; }
    if (k !== tpCand) { tpCand = k; tpSince = t; }
    if (tpCand !== tpOut && t - tpSince >= 500) tpOut = tpCand;
    var tamperOpen = tpOut > 0;

    // 0 depot-exit-without-seal: last valid fix leaves the depot (5 s debounce) while the seal is absent
    k = hDepot ? 1 : 0;
    if (depOut !== depOut) { depOut = depCand = k; depSince = t; }
    if (k !== depCand) { depCand = k; depSince = t; }
    if (depCand !== depOut && t - depSince >= 5000) depOut = depCand;
    c = !(depOut > 0) && depPrev > 0 && !seal;
    depPrev = depOut;
    if (c) {
      if (!f0 && !(t - l0 < 1800000)) {
        l0 = t;
        E[0] = hLat; E[1] = hLon; E[2] = speed; E[3] = cell;
        host.emit(0, 2, t, E, 4);
        host.interval(10000);
      }
      f0 = 1;
    } else f0 = 0;

    // 1 door-open-at-rest: door open below 1 km/h for 10 min
    c = false;
    if (door && speed < KMH1) {
      if (restSince !== restSince) restSince = t;
      c = t - restSince >= 600000;
    } else restSince = NaN;
    if (c) {
      if (!f1 && !(t - l1 < 1800000)) {
        l1 = t;
        E[0] = cell; E[1] = lat; E[2] = lon;
        host.emit(1, 2, t, E, 3);
      }
      f1 = 1;
    } else f1 = 0;

    // 2 door-opened-away-from-stops: door opens with a valid fix outside the zones, > 300 m from the delivery point
    c = door && !(doorPrev > 0) && fixOk && !approved && deliveryD2 > 90000;
    doorPrev = door ? 1 : 0;
    if (c) {
      if (!f2 && !(t - l2 < 300000)) {
        l2 = t;
        E[0] = lat; E[1] = lon; E[2] = speed; E[3] = cell;
        host.emit(2, 2, t, E, 4);
        host.output(0, 0);
      }
      f2 = 1;
    } else f2 = 0;

    // 3 external-power-cut: debounced power falls
    if (pwFall) {
      if (!f3 && !(t - l3 < 600000)) {
        l3 = t;
        E[0] = v[18]; E[1] = hLat; E[2] = hLon; E[3] = cell;
        host.emit(3, 2, t, E, 4);
        host.interval(30000);
      }
      f3 = 1;
    } else f3 = 0;

    // 4 gnss-loss-while-moving: no fix for 60 s, or jamming (> 80, clears < 40) for 10 s, while recently moving
    var fixStale = t - (fixT === fixT ? fixT : t0) >= 60000;
    if (v[23] > 80) jamOn = 1; else if (v[23] < 40) jamOn = 0;
    var jammed = false;
    if (jamOn) {
      if (jamSince !== jamSince) jamSince = t;
      jammed = t - jamSince >= 10000;
    } else jamSince = NaN;
    var moving = speed > KMH10 || mag < 0.85 || mag > 1.15;
    if (moving) movQuiet = Infinity; else if (movQuiet === Infinity) movQuiet = t;
    if (t - (movQuiet === movQuiet ? movQuiet : t0) >= 300000) movLatch = 0; else if (moving) movLatch = 1;
    c = (v[7] > 60000 || fixStale || jammed) && movLatch > 0;
    if (c) {
      if (!f4 && !(t - l4 < 600000)) {
        l4 = t;
        E[0] = cell; E[1] = v[21]; E[2] = hLat; E[3] = hLon; E[4] = v[23]; E[5] = v[7];
        host.emit(4, 2, t, E, 6);
      }
      f4 = 1;
    } else f4 = 0;

    // 5 light-in-closed-container: light (> 20 lux, clears < 5) with the door closed for 5 s
    if (v[14] > 20) litOn = 1; else if (v[14] < 5) litOn = 0;
    c = false;
    if (litOn && !door) {
      if (litSince !== litSince) litSince = t;
      c = t - litSince >= 5000;
    } else litSince = NaN;
    if (c) {
      if (!f5 && !(t - l5 < 900000)) {
        l5 = t;
        E[0] = v[14]; E[1] = hLat; E[2] = hLon; E[3] = cell;
        host.emit(5, 2, t, E, 4);
        host.output(2, 1);
      }
      f5 = 1;
    } else f5 = 0;

    // 6 moving-after-power-cut: since the power fell (until it is back), a valid fix above 10 km/h for 30 s
    if (pwRise) cut = 0; else if (pwFall) cut = 1;
    c = false;
    if (cut && fixOk && speed > KMH10) {
      if (cutSince !== cutSince) cutSince = t;
      c = t - cutSince >= 30000;
    } else cutSince = NaN;
    if (c) {
      if (!f6 && !(t - l6 < 1800000)) {
        l6 = t;
        E[0] = speed; E[1] = v[18]; E[2] = lat; E[3] = lon; E[4] = cell;
        host.emit(6, 2, t, E, 5);
        host.output(1, 1);
        host.interval(15000);
      }
      f6 = 1;
    } else f6 = 0;

    // 7 offload-at-unapproved-stop: stopped outside for 1 min, then door open, then above 15 km/h, within 30 min
    var stoppedOutside = false;
    if (stopped) {
      if (stopSince !== stopSince) stopSince = t;
      stoppedOutside = t - stopSince >= 60000;
    } else stopSince = NaN;
    if (seqStep > 0 && t - seqT > 1800000) seqStep = 0;
    c = false;
    if (seqStep === 0) { if (stoppedOutside) { seqT = t; seqStep = 1; } } else if (seqStep === 1) { if (door) seqStep = 2; } else if (speed > KMH15) { seqStep = 0; c = true; }
    if (c) {
      if (!f7 && !(t - l7 < 1800000)) {
        l7 = t;
        E[0] = lat; E[1] = lon; E[2] = speed; E[3] = cell;
        host.emit(7, 2, t, E, 4);
        host.output(0, 0);
        host.interval(15000);
      }
      f7 = 1;
    } else f7 = 0;

    // 8 position-jump: implied speed above 250 km/h with a valid fix and HDOP below 5
    c = jump2 > JUMP2_MAX && fixOk && v[4] < 5;
    if (c) {
      if (!f8 && !(t - l8 < 600000)) {
        l8 = t;
        E[0] = lat; E[1] = lon; E[2] = speed; E[3] = v[4]; E[4] = v[5]; E[5] = cell; E[6] = v[21];
        host.emit(8, 2, t, E, 7);
        host.interval(10000);
      }
      f8 = 1;
    } else f8 = 0;

    // 9 prolonged-dwell: ignition off, last valid fix outside every approved zone, for 45 min
    var engineOff = ign === 0;
    c = false;
    if (engineOff && hLat >= -90 && !hApproved) {
      if (dwellSince !== dwellSince) dwellSince = t;
      c = t - dwellSince >= 2700000;
    } else dwellSince = NaN;
    if (c) {
      if (!f9 && !(t - l9 < 7200000)) {
        l9 = t;
        E[0] = hLat; E[1] = hLon; E[2] = cell; E[3] = v[18];
        host.emit(9, 2, t, E, 4);
      }
      f9 = 1;
    } else f9 = 0;

    // 10 repeated-stop-start: 4 or more stops within 30 min
    if (stops >= 4) {
      if (!f10 && !(t - l10 < 1800000)) {
        l10 = t;
        E[0] = stops; E[1] = lat; E[2] = lon; E[3] = cell;
        host.emit(10, 1, t, E, 4);
      }
      f10 = 1;
    } else f10 = 0;

    // 11 reseal-missing-after-door: no seal within 10 min of the door closing
    var closed = !door && doorPrev11 > 0;
    doorPrev11 = door ? 1 : 0;
    if (closed) resealWait = t;
    c = false;
    if (resealWait === resealWait) {
      if (seal) resealWait = NaN;
      else if (t - resealWait >= 600000) { c = true; resealWait = NaN; }
    }
    if (c) {
      if (!f11) {
        l11 = t;
        E[0] = hLat; E[1] = hLon; E[2] = cell;
        host.emit(11, 1, t, E, 3);
      }
      f11 = 1;
    } else f11 = 0;

    // 12 route-deviation: a valid fix more than 500 m from the planned route for 2 min
    c = false;
    if (routeD2 > 250000 && fixOk) {
      if (offSince !== offSince) offSince = t;
      c = t - offSince >= 120000;
    } else offSince = NaN;
    if (c) {
      if (!f12 && !(t - l12 < 900000)) {
        l12 = t;
        E[0] = lat; E[1] = lon; E[2] = speed; E[3] = v[3]; E[4] = cell;
        host.emit(12, 1, t, E, 5);
        host.interval(30000);
      }
      f12 = 1;
    } else f12 = 0;

    // 13 shock-or-tamper: above 4 g, or the enclosure open for 500 ms
    if (mag > 4 || tamperOpen) {
      if (!f13 && !(t - l13 < 60000)) {
        l13 = t;
        E[0] = mag; E[1] = tamperOpen ? 1 : 0; E[2] = v[12]; E[3] = hLat; E[4] = hLon; E[5] = cell;
        host.emit(13, 2, t, E, 6);
      }
      f13 = 1;
    } else f13 = 0;

    // 14 temperature-excursion: above 8 °C (clears < 7.5) or below 2 °C (clears > 2.5) for 15 min
    var temp = v[19];
    if (temp > 8) warm = 1; else if (temp < 7.5) warm = 0;
    if (temp < 2) cold = 1; else if (temp > 2.5) cold = 0;
    c = false;
    if (warm || cold) {
      if (tempSince !== tempSince) tempSince = t;
      c = t - tempSince >= 900000;
    } else tempSince = NaN;
    if (c) {
      if (!f14 && !(t - l14 < 3600000)) {
        l14 = t;
        E[0] = temp; E[1] = hLat; E[2] = hLon; E[3] = cell;
        host.emit(14, 2, t, E, 4);
      }
      f14 = 1;
    } else f14 = 0;

    // 15 towing: ignition off while moving (fix above 5 km/h, or vibration outside 0.75–1.25 g within 5 s) for 30 s
    if (mag < 0.75 || mag > 1.25) vibQuiet = Infinity; else if (vibQuiet === Infinity) vibQuiet = t;
    var vibrating = !(t - (vibQuiet === vibQuiet ? vibQuiet : t0) >= 5000);
    c = false;
    if (engineOff && (speed > KMH5 && fixOk || vibrating)) {
      if (towSince !== towSince) towSince = t;
      c = t - towSince >= 30000;
    } else towSince = NaN;
    if (c) {
      if (!f15 && !(t - l15 < 1800000)) {
        l15 = t;
        E[0] = speed; E[1] = mag; E[2] = v[12]; E[3] = hLat; E[4] = hLon; E[5] = cell;
        host.emit(15, 2, t, E, 6);
        host.interval(10000);
      }
      f15 = 1;
    } else f15 = 0;

    // 16 unauthorised-stop: stopped (< 3 km/h until > 5 km/h) with a valid fix outside the zones for 5 min
    if (speed > KMH5) moving16 = 1; else if (speed < KMH3) moving16 = 0;
    c = false;
    if (!moving16 && fixOk && !approved) {
      if (unauthSince !== unauthSince) unauthSince = t;
      c = t - unauthSince >= 300000;
    } else unauthSince = NaN;
    if (c) {
      if (!f16 && !(t - l16 < 1800000)) {
        l16 = t;
        E[0] = lat; E[1] = lon; E[2] = speed; E[3] = cell;
        host.emit(16, 1, t, E, 4);
        host.interval(60000);
      }
      f16 = 1;
    } else f16 = 0;
  }

  return { set: set, step: step };
}
