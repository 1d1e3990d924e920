// Request flow control: every confirmed request goes through RequestLanes.call — a slot of its
// device, a slot of the total (or, for a silent device, its probe turn and a probe slot), an own
// invoke id, and the adapter's own timeout. These are the guards against the library's invoke-id
// and timer defects (README.md "Library defects and their guards").
import type { BACNetAddress } from '@bacnet-js/client';
import { AbortReason, ErrorClass, ErrorCode, RejectReason } from '@bacnet-js/client';
import { isMeterErrorCode } from '../protocol.js';
import { enumName, splitPeer } from './decoders.js';
import { BacnetError, BacnetErrorCode } from './errors.js';
import { InvokeIds } from './invoke-ids.js';
import { Semaphore } from './semaphore.js';
import type { GuardedTransport, PendingRequest } from './transport.js';
import type { CallCycle, CallFailure, CallResult, Client, DeviceRef, DeviceState, ResolvedOptions } from './types.js';
import { PduType } from './wire.js';

/** Octets one object with presentValue, statusFlags, units and reliability takes in an RPM reply, rounded up. */
const OCTETS_PER_OBJECT = 40;
/** Max APDU assumed for a device that has not told us (no I-Am seen, nothing configured). */
const DEFAULT_MAX_APDU = 480;
/** How long an answered request's invoke id rests once the library's timer for it is gone, so a duplicate reply finds no request. */
const ID_REST_AFTER_ANSWER_MS = 20;

/**
 * @bacnet-js/client 3.3.2 keeps an answered request in its timer list until that timer expires, and
 * then deletes whatever request holds the same invoke id by then. Its request manager's `clear()`
 * drops every entry whose id no request holds (and fails the expired ones, as its timer would), so
 * calling it after an answer lets the id be reused at once instead of after the whole timeout.
 * Null when the library has no such method: ids then wait out the library's timer.
 */
function libraryTimerPurge(client: Client): (() => void) | null {
  const manager = (client as unknown as { _requestManager?: { clear?: unknown } })._requestManager;
  const clear = manager?.clear;
  return typeof clear === 'function' ? () => (clear as (force?: boolean) => void).call(manager, false) : null;
}

export class RequestLanes {
  private readonly devices = new Map<string, DeviceState>();
  private readonly total: Semaphore;
  private readonly probes: Semaphore;
  private readonly ids: InvokeIds;
  private readonly active = new Set<(err: BacnetError) => void>();
  private readonly purgeLibraryTimers: (() => void) | null;
  private isClosed = false;

  constructor(
    private readonly client: Client,
    private readonly transport: GuardedTransport,
    private readonly options: ResolvedOptions,
  ) {
    this.total = new Semaphore(options.maxInFlightTotal);
    this.probes = new Semaphore(options.maxInFlightProbes);
    // The library's timer for a request runs apduTimeoutMs; reuse its id only after that (+ slack for a
    // late timer), or shortly after an answer once that timer has been dropped.
    this.purgeLibraryTimers = libraryTimerPurge(client);
    this.ids = new InvokeIds(options.apduTimeoutMs + 500, Date.now, ID_REST_AFTER_ANSWER_MS);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Requests under `maxInFlightTotal`, and probes to silent devices (counted apart). */
  inFlight(): { total: number; probes: number } {
    return { total: this.total.inUse, probes: this.probes.inUse };
  }

  /** Close: `beforeFail` runs first (the adapter stops its BBMD registration), then every request waiting or running fails with BACNET_CLOSED. */
  close(beforeFail: () => void): void {
    if (this.isClosed) return;
    this.isClosed = true;
    beforeFail();
    const err = new BacnetError(BacnetErrorCode.BACNET_CLOSED, 'the BACnet adapter was closed');
    for (const fail of [...this.active]) fail(err);
    this.ids.dispose(err);
    this.client.close();
  }

  /** What the adapter knows of the device at an address; forgotten when another device instance is named there. */
  device(ref: DeviceRef): DeviceState {
    const peer = splitPeer(ref.address, ref.port, this.options.port);
    let d = this.devices.get(peer);
    if (!d || d.deviceId !== ref.deviceId) {
      // A new device, or another device now answers at this address: forget what we knew.
      d = {
        peer,
        deviceId: ref.deviceId,
        maxApdu: null,
        rpmSupported: null,
        objectsPerRequest: 1,
        units: new Map(),
        semaphore: new Semaphore(this.options.maxInFlightPerDevice),
        silent: false,
        probeTurn: new Semaphore(1),
        confirmedAt: null,
        recheck: false,
        wrongDevice: undefined,
        unitsReadAt: null,
        unitsDue: false,
      };
      this.devices.set(peer, d);
      this.setMaxApdu(d, ref.maxApdu ?? null);
    } else if (ref.maxApdu !== undefined && ref.maxApdu !== d.maxApdu) {
      this.setMaxApdu(d, ref.maxApdu);
    }
    return d;
  }

  private setMaxApdu(d: DeviceState, maxApdu: number | null): void {
    d.maxApdu = maxApdu;
    const apdu = maxApdu ?? DEFAULT_MAX_APDU;
    d.objectsPerRequest = Math.max(
      1,
      Math.min(this.options.maxObjectsPerRequest, Math.floor((apdu - 16) / OCTETS_PER_OBJECT)),
    );
  }

  /**
   * One confirmed request: device slot, then total slot (or, for a device whose last request timed
   * out, its probe turn and a probe slot), then an invoke id, then the request raced against the
   * adapter's own timer.
   */
  async call<T>(
    d: DeviceState,
    cycle: CallCycle | null,
    run: (invokeId: number, receiver: BACNetAddress) => Promise<T>,
  ): Promise<CallResult<T>> {
    const releaseDevice = await d.semaphore.acquire();
    let releaseProbeTurn: (() => void) | null = null;
    let releaseSlot: (() => void) | null = null;
    const gaveUp = (): CallResult<T> => ({
      ok: false,
      failure: {
        kind: 'timeout',
        message: `device ${d.deviceId} at ${d.peer} did not answer an earlier request of this read`,
      },
    });
    try {
      if (cycle?.timedOut) return gaveUp();
      if (d.silent) {
        releaseProbeTurn = await d.probeTurn.acquire();
        if (cycle?.timedOut) return gaveUp();
        if (!d.silent) {
          // The probe before this one was answered: back to the shared slots.
          releaseProbeTurn();
          releaseProbeTurn = null;
        }
      }
      releaseSlot = await (releaseProbeTurn ? this.probes : this.total).acquire();
      if (this.isClosed)
        return {
          ok: false,
          failure: { kind: 'failed', code: BacnetErrorCode.BACNET_CLOSED, message: 'the BACnet adapter was closed' },
        };
      let invokeId: number;
      try {
        invokeId = await this.ids.acquire();
      } catch (err) {
        return {
          ok: false,
          failure: { kind: 'failed', code: BacnetErrorCode.BACNET_CLOSED, message: (err as Error).message },
        };
      }
      const startedAt = Date.now();
      let fail: (err: BacnetError) => void = () => undefined;
      let timer: NodeJS.Timeout | undefined;
      const guard = new Promise<never>((_, reject) => {
        fail = reject;
        timer = setTimeout(
          () =>
            reject(
              new BacnetError(
                BacnetErrorCode.METER_TIMEOUT,
                `device ${d.deviceId} at ${d.peer} did not answer within ${this.options.apduTimeoutMs} ms`,
              ),
            ),
          this.options.apduTimeoutMs,
        );
      });
      this.active.add(fail);
      const entry = this.transport.expect(invokeId, d.peer, fail);
      // Settled by the library because a reply got through: it no longer holds the id (only its timer may).
      let answered = false;
      const request = run(invokeId, { address: d.peer }).finally(() => {
        answered = entry.replyPduType !== null;
      });
      try {
        const value = await Promise.race([request, guard]);
        return { ok: true, value };
      } catch (err) {
        const failure = this.classify(err, entry, d);
        if (failure.kind === 'timeout') {
          if (cycle) cycle.timedOut = true;
          d.silent = true;
          d.recheck = true;
        }
        return { ok: false, failure };
      } finally {
        clearTimeout(timer);
        this.active.delete(fail);
        this.transport.forget(invokeId, entry);
        if (entry.replyPduType !== null) d.silent = false;
        const timerCleared = answered && this.purgeLibraryTimers !== null;
        if (timerCleared) this.purgeLibraryTimers?.();
        this.ids.release(invokeId, startedAt, { timerCleared });
      }
    } finally {
      releaseSlot?.();
      releaseProbeTurn?.();
      releaseDevice();
    }
  }

  private classify(err: unknown, entry: PendingRequest, d: DeviceState): CallFailure {
    const who = `device ${d.deviceId} at ${d.peer}`;
    if (err instanceof BacnetError) {
      if (err.code === BacnetErrorCode.METER_TIMEOUT) return { kind: 'timeout', message: err.message };
      if (entry.segmented) return { kind: 'segmented', message: err.message };
      // Only meter codes reach a request (send errors, closing); anything else is the meter's error.
      return {
        kind: 'failed',
        code: isMeterErrorCode(err.code) ? err.code : BacnetErrorCode.METER_ERROR,
        message: err.message,
      };
    }
    const message = err instanceof Error ? err.message : String(err);
    if (message === 'ERR_TIMEOUT')
      return { kind: 'timeout', message: `${who} did not answer within ${this.options.apduTimeoutMs} ms` };
    const e = /BacnetError - Class:(\d+) - Code:(\d+)/.exec(message);
    if (e) {
      const errorClass = Number(e[1]);
      const errorCode = Number(e[2]);
      return {
        kind: 'error',
        errorClass,
        errorCode,
        message: `${who} answered with BACnet error class ${enumName(ErrorClass as unknown as Record<number, string>, errorClass)} (${errorClass}) code ${enumName(ErrorCode as unknown as Record<number, string>, errorCode)} (${errorCode})`,
      };
    }
    const a = /BacnetAbort - Reason:(\d+)/.exec(message);
    if (a) {
      const reason = Number(a[1]);
      // The library reports Reject and Abort alike; the transport saw which one it was.
      if (entry.replyPduType === PduType.REJECT) {
        return {
          kind: 'reject',
          reason,
          message: `${who} rejected the request: ${enumName(RejectReason as unknown as Record<number, string>, reason)} (${reason})`,
        };
      }
      return {
        kind: 'abort',
        reason,
        message: `${who} aborted the request: ${enumName(AbortReason as unknown as Record<number, string>, reason)} (${reason})`,
      };
    }
    if (message === 'ERR_CLOSED' || this.isClosed)
      return { kind: 'failed', code: BacnetErrorCode.BACNET_CLOSED, message: 'the BACnet adapter was closed' };
    return { kind: 'failed', code: BacnetErrorCode.METER_ERROR, message: `${who}: ${message}` };
  }
}
