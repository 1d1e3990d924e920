// What the installer is asked to do, how it talks to the installer, and what it answers.
import type { CommissioningReport } from './commissioning.js';

export interface SetupOptions {
  clientUrl?: string | undefined;
  apiKey?: string | undefined;
  allowInsecureHttp: boolean;
  bacnetInterface: string;
  bacnetPort: number;
  broadcast?: string | undefined;
  /** Who-Is to these addresses instead of (or as well as) broadcasting. */
  discoverAddresses: string[];
  /** Meters on another subnet: register as a foreign device with this BBMD (`ip:port`) and discover through it. */
  bbmd?: { address: string; ttlSeconds: number } | undefined;
  discoverTimeoutMs: number;
  deviceLow?: number | undefined;
  deviceHigh?: number | undefined;
  /** Where .env, meters.json, the systemd unit and the report are written. */
  targetDir: string;
  /** SYNC_DATA_DIR of the agent: the embedded database lives there. */
  dataDir: string;
  embeddedPgPort: number;
  /** An existing PostgreSQL instead of the embedded one. */
  databaseUrl?: string | undefined;
  interactive: boolean;
  installService: boolean;
  /** The site dashboard's control credential; generated when absent. */
  localApiToken?: string | undefined;
  agentVersion: string;
  /** Node binary and agent entry for the systemd unit. */
  nodePath: string;
  agentEntry: string;
}

export interface Io {
  ask(question: string, defaultAnswer?: string): Promise<string>;
  say(line: string): void;
}

export interface SetupResult {
  report: CommissioningReport;
  text: string;
  files: { env: string; meters: string; unit: string; reportText: string; reportJson: string } | null;
}
