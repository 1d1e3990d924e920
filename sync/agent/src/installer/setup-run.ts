// One commissioning run's report as it grows: every line is said to the installer as it is added.
import { buildReport, formatReport, type CommissioningReport } from './commissioning.js';
import type { ReportLine } from './machine-checks.js';
import type { Io, SetupResult } from './setup-options.js';

export type AddLine = (l: ReportLine) => ReportLine;

export class SetupRun {
  readonly lines: ReportLine[] = [];
  site: { id: number | null; name: string | null } = { id: null, name: null };
  readonly meterRows: CommissioningReport['meters'] = [];

  constructor(
    private readonly io: Io,
    private readonly agentVersion: string,
  ) {}

  readonly add: AddLine = (l) => {
    this.lines.push(l);
    this.io.say(
      `[${l.status.toUpperCase()}] ${l.check}: ${l.detail}${l.fix && l.status !== 'pass' ? `\n       → ${l.fix}` : ''}`,
    );
    return l;
  };

  report(): CommissioningReport {
    return buildReport({
      site: this.site,
      agent_version: this.agentVersion,
      lines: this.lines,
      meters: this.meterRows,
    });
  }

  finish(files: SetupResult['files']): SetupResult {
    const report = this.report();
    return { report, text: formatReport(report), files };
  }
}

/** An answer of yes (an empty answer takes the default yes). */
export const yes = (a: string) => /^(y|yes|j|ja|o|oui)?$/i.test(a.trim());
