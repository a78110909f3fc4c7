'use strict';
// The second load client (npm ws), to check that the Java client is not the bottleneck. Same protocol and the same
// accounting as LoadClientMain + Receiver (see those for the meaning of each figure):
//   node load-client.js --url ws://127.0.0.1:P/bench --conns N
// prints "@@ CONNECTED {...}", then serves "arm <firstSeq> <warmupMs> <measureMs>" -> "@@ ARMED", "@@ RESULT {...}";
// "quiet <ms>" -> "@@ QUIET"; "exit" (or end of stdin) closes every connection and exits.
// process.hrtime() reads CLOCK_MONOTONIC, as Java's System.nanoTime() does, so latencies compare across processes.
const WebSocket = require('ws');
const readline = require('readline');

const MAX_CONNS = 20000;
const CONNECT_DEADLINE_MS = 110000;
const FIRST_MESSAGE_TIMEOUT_MS = 10000;
const QUIET_TIMEOUT_MS = 3000; // later arrivals are recognised as stale by their sequence number
const WINDOW = 1 << 16;

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function emit(keyword, payload) {
  process.stdout.write('@@ ' + keyword + (payload === undefined ? '' : ' ' + JSON.stringify(payload)) + '\n');
}

function nowNanos() {
  const [s, ns] = process.hrtime();
  return s * 1e9 + ns;
}

// Log-linear latency buckets, as LatencyHistogram.java: 32 per power of two, 32 ns wide below 1 µs.
class Histogram {
  constructor() { this.counts = new Float64Array(32 + 27 * 32); this.total = 0; this.max = 0; this.negative = 0; }
  record(ns) {
    if (ns < 0) { this.negative++; ns = 0; }
    let i;
    if (ns < 1024) i = Math.floor(ns / 32);
    else {
      const exp = Math.min(Math.floor(Math.log2(ns)), 36);
      const sub = Math.floor(Math.min(ns, 2 ** 37 - 1) / 2 ** (exp - 5)) & 31;
      i = 32 + (exp - 10) * 32 + sub;
    }
    this.counts[i]++; this.total++; if (ns > this.max) this.max = ns;
  }
  static value(i) {
    if (i < 32) return (i + 0.5) * 32;
    const exp = Math.floor((i - 32) / 32) + 10, sub = (i - 32) % 32;
    return (32 + sub + 0.5) * 2 ** (exp - 5);
  }
  merge(o) { for (let i = 0; i < this.counts.length; i++) this.counts[i] += o.counts[i]; this.total += o.total; this.max = Math.max(this.max, o.max); this.negative += o.negative; }
  percentile(f) {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(f * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) { seen += this.counts[i]; if (seen >= rank) return Math.min(Histogram.value(i), this.max); }
    return this.max;
  }
  toJson() {
    const us = v => Number.isNaN(v) ? -1 : Math.round(v / 100) / 10;
    return { count: this.total, p50: us(this.percentile(0.5)), p99: us(this.percentile(0.99)), p999: us(this.percentile(0.999)), max: us(this.max), negative: this.negative };
  }
}

// Loss, reordering and duplication in bounded memory, as SequenceTracker.java.
class Sequence {
  reset(first) { this.seen = new Uint8Array(WINDOW); this.expected = first; this.gaps = 0; this.reorders = 0; this.duplicates = 0; }
  accept(seq) {
    if (this.expected < 0) this.expected = seq;
    if (seq >= this.expected) {
      const skipped = seq - this.expected;
      this.gaps += skipped;
      for (let s = skipped >= WINDOW ? seq - WINDOW + 1 : this.expected; s <= seq; s++) this.seen[s % WINDOW] = 0;
      this.seen[seq % WINDOW] = 1;
      this.expected = seq + 1;
    } else if (this.expected - seq > WINDOW) { this.reorders++; this.gaps = Math.max(0, this.gaps - 1); }
    else if (this.seen[seq % WINDOW]) this.duplicates++;
    else { this.seen[seq % WINDOW] = 1; this.reorders++; this.gaps--; }
  }
}

// Reads {"seq":<n>,"t":<n>,... from the bytes, without JSON.parse (as BenchMessage.parse).
const SEQ = Buffer.from('{"seq":'), T = Buffer.from(',"t":');
function parse(buf, out) {
  let i = buf[0] === 0x5b ? 1 : 0;
  if (buf.compare(SEQ, 0, SEQ.length, i, i + SEQ.length) !== 0) return false;
  i += SEQ.length;
  let seq = 0, start = i;
  for (; i < buf.length && buf[i] >= 48 && buf[i] <= 57; i++) seq = seq * 10 + (buf[i] - 48);
  if (i === start || buf.compare(T, 0, T.length, i, i + T.length) !== 0) return false;
  i += T.length;
  let t = 0; start = i;
  for (; i < buf.length && buf[i] >= 48 && buf[i] <= 57; i++) t = t * 10 + (buf[i] - 48);
  if (i === start) return false;
  out[0] = seq; out[1] = t;
  return true;
}

const url = arg('url');
const conns = Math.min(parseInt(arg('conns', '1'), 10), MAX_CONNS);
const clock = { armed: false, start: 0, warmup: 0, end: 0 };
const connections = [];
let lastMessage = 0;
const parsed = [0, 0];

function newStats() {
  return { seq: new Sequence(), lat: new Histogram(), firstSeq: -1, received: 0, measured: 0, bytes: 0, malformed: 0, stale: 0, closed: false };
}

function onMessage(stats, data) {
  const now = nowNanos();
  lastMessage = now;
  if (!parse(data, parsed)) { stats.malformed++; return; }
  if (parsed[0] < stats.firstSeq) { stats.stale++; return; } // still queued from the phase before
  if (clock.start === 0) { if (!clock.armed) return; clock.start = now; }
  const since = now - clock.start;
  if (since >= clock.end) return;
  stats.received++;
  stats.seq.accept(parsed[0]);
  if (since >= clock.warmup) { stats.measured++; stats.bytes += data.length; stats.lat.record(now - parsed[1]); }
}

let opened = 0, failed = 0, settled = 0;
const connectTimer = setTimeout(connectedReport, CONNECT_DEADLINE_MS);
function connectedReport() {
  clearTimeout(connectTimer);
  emit('CONNECTED', { opened, failed });
}
for (let k = 0; k < conns; k++) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const stats = newStats();
  stats.seq.reset(-1);
  ws.on('open', () => { opened++; connections.push({ ws, stats }); if (++settled === conns) connectedReport(); });
  ws.on('message', data => onMessage(stats, data));
  ws.on('close', () => { stats.closed = true; });
  ws.on('error', () => { if (ws.readyState !== WebSocket.OPEN && !stats.counted) { stats.counted = true; failed++; if (++settled === conns) connectedReport(); } });
}

function summarize(measureMs) {
  const lat = new Histogram();
  let received = 0, measured = 0, bytes = 0, gaps = 0, reorders = 0, duplicates = 0, malformed = 0, stale = 0, closed = 0, min = Infinity, max = 0;
  for (const { stats: s } of connections) {
    lat.merge(s.lat); received += s.received; measured += s.measured; bytes += s.bytes;
    gaps += s.seq.gaps; reorders += s.seq.reorders; duplicates += s.seq.duplicates; malformed += s.malformed; stale += s.stale;
    closed += s.closed ? 1 : 0; min = Math.min(min, s.measured); max = Math.max(max, s.measured);
  }
  const seconds = measureMs / 1000;
  return { connections: connections.length, snapshotsMissing: 0, msgPerSec: measured / seconds, bytesPerSec: bytes / seconds,
    measured, received, gaps, reorders, duplicates, malformed, staleFromEarlierPhase: stale, closedConnections: closed,
    minPerConnection: connections.length ? min : 0, maxPerConnection: max, latencyUs: lat.toJson() };
}

function arm(firstSeq, warmupMs, measureMs) {
  clock.armed = false; clock.start = 0;
  for (const { stats } of connections) {
    stats.seq.reset(firstSeq); stats.firstSeq = firstSeq; stats.lat = new Histogram();
    stats.received = 0; stats.measured = 0; stats.bytes = 0; stats.malformed = 0; stats.stale = 0;
  }
  clock.warmup = warmupMs * 1e6; clock.end = (warmupMs + measureMs) * 1e6; clock.armed = true;
  emit('ARMED');
  const armedAt = Date.now();
  const wait = setInterval(() => {
    if (clock.start === 0) {
      if (Date.now() - armedAt > FIRST_MESSAGE_TIMEOUT_MS) { clearInterval(wait); clock.armed = false; emit('RESULT', { error: 'no message within ' + FIRST_MESSAGE_TIMEOUT_MS + ' ms' }); }
      return;
    }
    if (nowNanos() - clock.start >= clock.end + 20e6) {
      clearInterval(wait);
      const result = summarize(measureMs);
      clock.armed = false; clock.start = 0;
      emit('RESULT', result);
    }
  }, 5);
}

function quiet(ms) {
  const since = Date.now();
  const check = setInterval(() => {
    if (nowNanos() - lastMessage >= ms * 1e6) { clearInterval(check); emit('QUIET'); }
    else if (Date.now() - since > QUIET_TIMEOUT_MS) { clearInterval(check); emit('QUIET', 'timeout'); }
  }, 10);
}

function exit() {
  for (const { ws } of connections) ws.terminate();
  process.exit(0);
}

readline.createInterface({ input: process.stdin }).on('line', line => {
  const [command, ...a] = line.trim().split(/\s+/);
  if (command === 'arm') arm(Number(a[0]), Number(a[1]), Number(a[2]));
  else if (command === 'quiet') quiet(Number(a[0]));
  else if (command === 'exit') exit();
  else if (command) emit('ERROR', 'unknown command ' + command);
}).on('close', exit);
