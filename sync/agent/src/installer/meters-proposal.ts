// The installer's meter proposal: written to meters.json, shown, and accepted or edited by the installer.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MeterConfig } from '@meterit/shared';
import { parseMetersFile } from '../meters/meters-file.js';
import type { Io, SetupOptions } from './setup-options.js';
import { yes, type AddLine } from './setup-run.js';

/** The meters to configure (those proposed, or the installer's edit of them) and the meters.json they are in. */
export async function settleMeters(
  proposed: MeterConfig[],
  opts: SetupOptions,
  io: Io,
  add: AddLine,
): Promise<{ meters: MeterConfig[]; metersFile: string }> {
  let meters = proposed;
  const metersFile = path.join(opts.targetDir, 'meters.json');
  await mkdir(opts.targetDir, { recursive: true });
  if (meters.length > 0) {
    await writeFile(metersFile, JSON.stringify({ meters }, null, 2) + '\n');
    io.say(`Proposed ${meters.length} meter(s), written to ${metersFile}:`);
    for (const m of meters)
      io.say(
        `  ${m.id}  "${m.name}"  ${m.bacnet_ip}:${m.bacnet_port}  points: ${m.data_points.map((p) => `${p.name}${p.unit ? ` (${p.unit})` : ''}`).join(', ')}`,
      );
    if (opts.interactive) meters = await confirmMeters(meters, metersFile, io);
    add({
      check: 'meters.json',
      status: 'pass',
      detail: `${meters.length} meter(s), ${meters.reduce((n, m) => n + m.data_points.length, 0)} data points in ${metersFile}`,
    });
  }
  return { meters, metersFile };
}

/** Ask until the installer accepts the proposal, or an edit of it that parses. */
async function confirmMeters(proposed: MeterConfig[], metersFile: string, io: Io): Promise<MeterConfig[]> {
  let meters = proposed;
  for (;;) {
    const a = await io.ask(`Accept these meters? (y = accept, e = I edited ${metersFile}, reload it)`, 'y');
    if (/^e/i.test(a.trim())) {
      try {
        meters = parseMetersFile(await readFile(metersFile, 'utf8'), metersFile);
        io.say(`Reloaded ${meters.length} meter(s) from ${metersFile}.`);
      } catch (err) {
        io.say(`That file has problems: ${(err as Error).message}`);
        continue;
      }
    }
    if (yes(a) || /^e/i.test(a.trim())) break;
    io.say('Edit the file, then answer "e".');
  }
  return meters;
}
