// Registration as a BACnet/IP foreign device with a BBMD (ASHRAE 135 Annex J.5), so that Who-Is
// reaches meters on another IP subnet.
import { BacnetError, BacnetErrorCode } from './errors.js';
import type { Logger } from './logger.js';

/** Bounds of the registration's time-to-live, seconds (BVLC carries it in 16 bits). */
export const BBMD_TTL_SECONDS = { min: 10, max: 65535, default: 300 } as const;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * A BBMD address as `ip:port` from "ip" or "ip:port" (port default 47808). An IPv4 address, not a
 * name: the BBMD's answers are matched by the address they come from.
 */
export function parseBbmdAddress(text: string): string {
  const trimmed = text.trim();
  const [host = '', portText, extra] = trimmed.split(':');
  const port = portText === undefined ? 47808 : Number(portText);
  if (extra !== undefined || !IPV4.test(host) || !/^\d+$/.test(portText ?? '47808') || port < 1 || port > 65535) {
    throw new Error(
      `"${text}" is not a BBMD address: give its IPv4 address with an optional UDP port, e.g. 192.168.10.1 or 192.168.10.1:47808`,
    );
  }
  return `${host}:${port}`;
}

export interface ForeignDeviceStatus {
  /** `ip:port` of the BBMD. */
  bbmd: string;
  ttlSeconds: number;
  /** The last registration succeeded and its TTL has not run out. */
  registered: boolean;
  lastRegisteredAt: Date | null;
  /** Why the last attempt failed; null after a success. */
  lastError: string | null;
  /** When the last attempt (successful or not) ended; null before the first. */
  lastAttemptAt: Date | null;
}

/**
 * Keeps this adapter registered with one BBMD: registers on demand (waiting for the BVLC-Result)
 * and, once kept alive, again at half the TTL, so the BBMD never drops it (it would after TTL + 30 s).
 */
export class ForeignDeviceRegistration {
  private timer: NodeJS.Timeout | null = null;
  private lastOkAt: number | null = null;
  private lastError: string | null = null;
  private lastAttemptAt: number | null = null;
  private stopped = false;

  constructor(
    readonly bbmd: string,
    readonly ttlSeconds: number,
    /** Sends Register-Foreign-Device and settles on the BVLC-Result (the library's registerForeignDevice). */
    private readonly send: (bbmd: string, ttlSeconds: number) => Promise<void>,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** Register now; a BacnetError (BBMD_REGISTRATION_FAILED) says whether the BBMD refused or did not answer. */
  async register(): Promise<void> {
    try {
      await this.send(this.bbmd, this.ttlSeconds);
    } catch (err) {
      const error = this.explain(err);
      // Closing the adapter is no registration failure to report.
      if (error.code === BacnetErrorCode.BACNET_CLOSED) throw error;
      this.lastError = error.message;
      this.lastAttemptAt = Date.now();
      throw error;
    }
    this.lastOkAt = Date.now();
    this.lastAttemptAt = this.lastOkAt;
    this.lastError = null;
  }

  /** Register now and every TTL/2 until stop(); failures are logged and retried sooner. */
  keepAlive(): void {
    const every = (this.ttlSeconds * 1000) / 2;
    const attempt = (): void => {
      this.timer = null;
      this.register().then(
        () => {
          this.logger.debug('registered as a BACnet foreign device', { bbmd: this.bbmd, ttlSeconds: this.ttlSeconds });
          schedule(every);
        },
        (err: unknown) => {
          if (this.stopped) return;
          this.logger.error(
            'foreign-device registration failed; discovery through the BBMD will not work until it succeeds',
            { bbmd: this.bbmd, error: (err as Error).message },
          );
          schedule(Math.min(every, 15_000));
        },
      );
    };
    const schedule = (ms: number): void => {
      if (this.stopped) return;
      this.timer = setTimeout(attempt, ms);
      this.timer.unref();
    };
    attempt();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  status(): ForeignDeviceStatus {
    return {
      bbmd: this.bbmd,
      ttlSeconds: this.ttlSeconds,
      registered: this.lastOkAt !== null && Date.now() < this.lastOkAt + this.ttlSeconds * 1000,
      lastRegisteredAt: this.lastOkAt === null ? null : new Date(this.lastOkAt),
      lastError: this.lastError,
      lastAttemptAt: this.lastAttemptAt === null ? null : new Date(this.lastAttemptAt),
    };
  }

  private explain(err: unknown): BacnetError {
    const message = (err as Error).message ?? String(err);
    if (message === 'ERR_CLOSED')
      return new BacnetError(BacnetErrorCode.BACNET_CLOSED, 'the BACnet adapter was closed', { cause: err });
    const nak = /Result:(\d+)/.exec(message);
    if (nak) {
      const code = Number(nak[1]);
      return new BacnetError(
        BacnetErrorCode.BBMD_REGISTRATION_FAILED,
        `the BBMD at ${this.bbmd} refused the foreign-device registration (BVLC-Result 0x${code.toString(16).padStart(4, '0')}): it may not accept foreign devices, or its table is full`,
        { cause: err },
      );
    }
    if (message === 'ERR_TIMEOUT') {
      return new BacnetError(
        BacnetErrorCode.BBMD_REGISTRATION_FAILED,
        `the BBMD at ${this.bbmd} did not answer the foreign-device registration within ${this.timeoutMs} ms: check its address and port, that it is a BBMD, and that UDP ${this.bbmd.split(':')[1]} is open between this machine and it`,
        { cause: err },
      );
    }
    return new BacnetError(
      BacnetErrorCode.BBMD_REGISTRATION_FAILED,
      `the foreign-device registration with the BBMD at ${this.bbmd} failed: ${message}`,
      { cause: err },
    );
  }
}
