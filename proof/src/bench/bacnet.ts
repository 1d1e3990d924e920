import { startSimulator, standardMeterPoints, type SimPointSpec } from '@meterit/simulator';
import { BacnetAdapter } from '@meterit/sync-agent/dist/meters/bacnet/index.js';
import { median, rate, timed, type BenchResult } from './common.js';

// The agent's own BACnet adapter against the simulator over real UDP on loopback (127.0.17.x, apart from the chaos suite's 127.0.7.x).
function widePoints(n: number): SimPointSpec[] {
  const extra: SimPointSpec[] = Array.from({ length: n - 4 }, (_, i) => ({
    instance: 4 + i,
    name: `reg_${i}`,
    units: 95,
    model: { kind: 'constant', value: i },
  }));
  return [...standardMeterPoints(), ...extra];
}

export async function benchBacnet(opts: {
  seconds: number;
  meters: number;
  cycleMeters: number;
}): Promise<BenchResult> {
  const POINTS = 40;
  const sim = await startSimulator({
    meters: [
      ...Array.from({ length: opts.meters }, (_, i) => ({
        deviceId: 7400 + i,
        name: `Wide ${i}`,
        address: `127.0.17.${100 + i}`,
        port: 47808,
        points: widePoints(POINTS),
      })),
      // Up to 100 addresses (127.0.17.150–249), then the next UDP port on the same addresses.
      ...Array.from({ length: opts.cycleMeters }, (_, i) => ({
        deviceId: 7500 + i,
        name: `Cycle ${i}`,
        address: `127.0.17.${150 + (i % 100)}`,
        port: 47808 + Math.floor(i / 100),
      })),
    ],
    listenBroadcast: false,
  });
  const adapter = await BacnetAdapter.open({
    interface: '127.0.17.3',
    port: 47808,
    broadcastAddress: '127.0.17.255',
    apduTimeoutMs: 1000,
  });
  try {
    const info = sim.meters;
    const wide = info.filter((m) => m.deviceId < 7500);
    const cycle = info.filter((m) => m.deviceId >= 7500);
    const refs = (m: (typeof info)[number]) =>
      m.points.map((p) => ({ objectType: p.objectType, instance: p.instance }));

    const pointsPerSecond = async (): Promise<number> => {
      let ok = 0;
      const until = Date.now() + opts.seconds * 1000;
      const t = Date.now();
      while (Date.now() < until) {
        const results = await Promise.all(
          wide.map((m) => adapter.readPoints({ deviceId: m.deviceId, address: m.address, port: m.port }, refs(m))),
        );
        ok += results.flat().filter((r) => r.ok).length;
      }
      return ok / ((Date.now() - t) / 1000);
    };
    // Every meter answers after ANSWER_MS, as meters on a real network do. With instant answers on
    // loopback both figures are bound by this one process's CPU (adapter and simulator share it):
    // the saving of fewer round trips and the in-flight slots a dead meter holds until its timeout
    // would not show. The instant-answer figures are printed too, without a target.
    const ANSWER_MS = 20;
    const setDelay = (meters: typeof info, delayMs: number) => {
      for (const m of meters) sim.setBehaviour(m.deviceId, { delayMs });
    };
    // RPM first: once a device refused it, the adapter stays with ReadProperty for that device.
    const instantRpm = await pointsPerSecond();
    setDelay(wide, ANSWER_MS);
    const rpm = await pointsPerSecond();
    // The same meters refusing ReadPropertyMultiple: the adapter falls back to one ReadProperty per property.
    for (const m of wide) sim.setBehaviour(m.deviceId, { refuseRpm: true });
    const rp = await pointsPerSecond();
    setDelay(wide, 0);
    const instant = { rpm: instantRpm, rp: await pointsPerSecond() };
    setDelay(cycle, ANSWER_MS);

    // A cycle over many standard meters, then the same cycle with 10 % of them dead. Both times every
    // meter is read and the clock stops when the same 90 % have answered: only the dead ones differ.
    const deadIds = new Set(cycle.filter((_, i) => i % 10 === 0).map((m) => m.deviceId));
    const healthy = cycle.filter((m) => !deadIds.has(m.deviceId));
    const others = cycle.filter((m) => deadIds.has(m.deviceId));
    const read = (m: (typeof info)[number]) =>
      adapter.readPoints({ deviceId: m.deviceId, address: m.address, port: m.port }, refs(m));
    const oneCycle = async (): Promise<number> => {
      const rest = others.map(read);
      const { ms } = await timed(() => Promise.all(healthy.map(read)));
      await Promise.all(rest);
      return ms;
    };
    await oneCycle(); // warm-up: units cached, RPM support learned
    const healthyTimes: number[] = [];
    const deadTimes: number[] = [];
    const dyingTimes: number[] = [];
    // Phases of two cycles, all alive then 10 % dead, alternating so the noise of a shared machine
    // hits both alike. The target is about meters that are dead (the second cycle of a dead phase);
    // the cycle in which they die is reported apart. Alive phases are measured in their second cycle
    // too, after the meters that came back have been read once.
    for (let phase = 0; phase < 16; phase++) {
      const dead = phase % 2 === 1;
      for (const id of deadIds) sim.setBehaviour(id, { dead });
      const first = await oneCycle();
      if (dead) dyingTimes.push(first);
      (dead ? deadTimes : healthyTimes).push(await oneCycle());
    }
    const allHealthy = median(healthyTimes);
    const withDead = median(deadTimes);
    const dying = median(dyingTimes);
    const growth = withDead / allHealthy;
    const dyingGrowth = dying / allHealthy;
    const ratio = rpm / rp;
    return {
      name: 'bacnet',
      lines: [
        `BACnet: ${wide.length} meters × ${POINTS} points, ${opts.seconds} s per mode, each meter answering in ${ANSWER_MS} ms`,
        `  ReadPropertyMultiple            ${rate(rpm)} points`,
        `  ReadProperty (RPM refused)      ${rate(rp)} points`,
        `  ratio RPM / RP: ${ratio.toFixed(1)} (target ≥ 10)`,
        `  answering at once (CPU-bound, no target): RPM ${instant.rpm.toFixed(0)}/s, RP ${instant.rp.toFixed(0)}/s points, ratio ${(instant.rpm / instant.rp).toFixed(1)}`,
        `  cycle of ${cycle.length} meters × 4 points: all healthy ${allHealthy.toFixed(0)} ms; with ${deadIds.size} dead (timeout 1000 ms) the healthy ones take ${withDead.toFixed(0)} ms`,
        `  healthy cycle growth: ${growth.toFixed(2)}× (target ≤ 1.10)`,
        `  the cycle in which the ${deadIds.size} meters die: healthy ones take ${dying.toFixed(0)} ms, ${dyingGrowth.toFixed(2)}× (no target: their first requests hold shared slots until the timeout)`,
      ],
      figures: {
        rpm,
        rp,
        ratio,
        instantRpm: instant.rpm,
        instantRp: instant.rp,
        cycleHealthyMs: allHealthy,
        cycleWithDeadMs: withDead,
        growth,
        cycleDyingMs: dying,
        dyingGrowth,
      },
      target: { description: 'RPM ≥ 10× RP and healthy cycle growth ≤ 10 %', met: ratio >= 10 && growth <= 1.1 },
    };
  } finally {
    await adapter.close();
    await sim.stop();
  }
}
