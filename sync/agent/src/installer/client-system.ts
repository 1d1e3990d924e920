// The installer and the client system: the URL and the site's key checked (with the clock beside it), the meters
// registered with a first batch through the real upload path, and the commissioning report uploaded.
import type { SyncReading, MeterConfig } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import { isLoopback } from '../config.js';
import { ClientApi, ClientApiError } from '../uploader/client-api.js';
import type { ReportLine } from './machine-checks.js';
import type { SetupOptions } from './setup-options.js';
import type { AddLine, SetupRun } from './setup-run.js';

/** The client system at `clientUrl`, when it accepts the site's key; each outcome is a report line. */
export async function connectClientSystem(
  opts: SetupOptions,
  clientUrl: string,
  apiKey: string,
  run: SetupRun,
  logger: Logger,
): Promise<ClientApi | null> {
  if (!URL.canParse(clientUrl)) {
    run.add({
      check: 'Client system',
      status: 'fail',
      detail: `"${clientUrl}" is not a URL`,
      fix: 'give the address of the client system, such as https://meterit.example.com/api',
    });
    return null;
  }
  if (new URL(clientUrl).protocol === 'http:' && !isLoopback(new URL(clientUrl).hostname) && !opts.allowInsecureHttp) {
    run.add({
      check: 'Client system',
      status: 'fail',
      detail: `${clientUrl} is plain http: the API key would travel in clear`,
      fix: 'use the https address, or pass --allow-insecure-http on a trusted network',
    });
    return null;
  }
  const origin = clientUrl.replace(/\/+$/, '').replace(/\/api$/, '');
  const candidate = new ClientApi({ origin, apiKey, timeoutMs: 15_000, logger: logger.child({ module: 'uplink' }) });
  const t0 = Date.now();
  try {
    const auth = await candidate.auth();
    const t1 = Date.now();
    run.site = { id: auth.site_id, name: auth.site_name };
    run.add({
      check: 'Client system and API key',
      status: 'pass',
      detail: `${origin} accepted the key of site "${auth.site_name}" (id ${auth.site_id})`,
    });
    run.add(clockLine(Date.parse(auth.server_time) - (t0 + t1) / 2));
    return candidate;
  } catch (err) {
    run.add(refusedKeyLine(err as ClientApiError));
    return null;
  }
}

/** How far this machine's clock is from the client system's (ms, positive: behind), as a report line. */
function clockLine(offset: number): ReportLine {
  const abs = Math.abs(offset);
  return abs <= 5000
    ? {
        check: 'Clock',
        status: 'pass',
        detail: `this machine's clock is within ${Math.round(abs)} ms of the client system`,
      }
    : {
        check: 'Clock',
        status: abs > 60_000 ? 'fail' : 'warn',
        detail: `this machine's clock is ${(offset / 1000).toFixed(1)} s ${offset > 0 ? 'behind' : 'ahead of'} the client system`,
        fix: 'turn on time synchronisation (timedatectl set-ntp true) — reading timestamps come from this clock',
      };
}

function refusedKeyLine(e: ClientApiError): ReportLine {
  return e.code === 'UPLINK_UNREACHABLE'
    ? {
        check: 'Client system and API key',
        status: 'fail',
        detail: e.message,
        fix: 'check the URL, DNS, the firewall and the proxy of this site; the client system must be reachable over HTTPS',
      }
    : e.status === 401
      ? {
          check: 'Client system and API key',
          status: 'fail',
          detail: 'the client system refused the API key',
          fix: 'copy the key again from the site page of the web app (it is shown once; an admin can rotate it)',
        }
      : {
          check: 'Client system and API key',
          status: 'fail',
          detail: e.message,
          fix: 'check the URL: it must point at the MeterIT client system',
        };
}

/** Register the meters and send the first batch through the real upload path. */
export async function registerAndSendFirstBatch(
  api: ClientApi,
  meters: MeterConfig[],
  firstBatch: SyncReading[],
  add: AddLine,
): Promise<void> {
  try {
    const r = await api.registerMeters(meters);
    add({
      check: 'Meters registered',
      status: 'pass',
      detail: `${r.created.length} new, ${r.existing.length} already known by the client system`,
    });
    if (firstBatch.length > 0) {
      const answer = await api.postBatch({ batch_id: `commissioning-${Date.now()}`, readings: firstBatch });
      add(
        answer.kind === 'accepted'
          ? {
              check: 'First batch synced',
              status: 'pass',
              detail: `${answer.body.stored} reading(s) stored, ${answer.body.duplicates} duplicate(s)`,
            }
          : {
              check: 'First batch synced',
              status: 'fail',
              detail:
                answer.kind === 'rejected'
                  ? `rejected: ${answer.body.rejected.map((x) => x.reason).join('; ')}`
                  : 'the client system found the batch too large',
              fix: 'send this report to the operators',
            },
      );
    }
  } catch (err) {
    add({
      check: 'Meters registered',
      status: 'fail',
      detail: (err as Error).message,
      fix: 'try again; if it persists, send this report to the operators',
    });
  }
}

/** The report, shown on the site's page in the client system; `reportText` is where it is kept here. */
export async function uploadReport(api: ClientApi, run: SetupRun, reportText: string): Promise<void> {
  try {
    await api.uploadCommissioningReport(run.report());
    run.add({ check: 'Report uploaded', status: 'pass', detail: "the report is on the site's page in the web app" });
  } catch (err) {
    run.add({
      check: 'Report uploaded',
      status: 'warn',
      detail: (err as Error).message,
      fix: `send ${reportText} to the operators`,
    });
  }
}
