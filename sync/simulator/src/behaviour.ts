// Fault injection: how a simulated meter misbehaves, and what a confirmed request gets back because of it.
import { ConfirmedServiceChoice, ErrorClass, ErrorCode, RejectReason, Reliability } from '@bacnet-js/client';

/** How a meter misbehaves; every field can be changed while the simulator runs. */
export interface MeterBehaviour {
  /** Answer nothing at all, Who-Is included (the socket stays bound). */
  dead: boolean;
  /** Answer every request this many ms late. */
  delayMs: number;
  /** Probability (0..1) that a confirmed request is answered with `error` (or device/operational-problem). */
  errorRate: number;
  /** When set, every confirmed request is answered with this BACnet Error PDU. */
  error: { errorClass: number; errorCode: number } | null;
  /** Refuse ReadPropertyMultiple: 'reject' (Reject PDU, unrecognized-service) or 'error' (Error PDU services/reject-unrecognized-service, as the library itself does). */
  refuseRpm: false | 'reject' | 'error';
  /** Set the fault status flag and report `reliability` on every analog point. */
  fault: boolean;
  /** Reliability reported while `fault` is set (BACnet Reliability enumeration). */
  faultReliability: number;
  /** Other status flags to report. */
  inAlarm: boolean;
  overridden: boolean;
  outOfService: boolean;
  /** Reply naming the next object instance (instance + 1) instead of the one asked for. */
  wrongObjectId: boolean;
}

/** What `setBehaviour` and `SimMeterSpec.behaviour` accept (`refuseRpm: true` means 'reject'). */
export type MeterBehaviourInput = Partial<Omit<MeterBehaviour, 'refuseRpm'>> & {
  refuseRpm?: boolean | 'reject' | 'error';
};

export const DEFAULT_BEHAVIOUR: MeterBehaviour = {
  dead: false,
  delayMs: 0,
  errorRate: 0,
  error: null,
  refuseRpm: false,
  fault: false,
  faultReliability: Reliability.UNRELIABLE_OTHER,
  inAlarm: false,
  overridden: false,
  outOfService: false,
  wrongObjectId: false,
};

export function applyBehaviour(current: MeterBehaviour, input: MeterBehaviourInput): MeterBehaviour {
  const { refuseRpm, ...rest } = input;
  const next: MeterBehaviour = { ...current, ...rest };
  if (refuseRpm !== undefined) next.refuseRpm = refuseRpm === true ? 'reject' : refuseRpm;
  return next;
}

/** A confirmed request answered by a fault instead of by the service. */
export type InjectedFault =
  { kind: 'reject'; reason: number } | { kind: 'error'; errorClass: number; errorCode: number };

/** The fault the behaviour injects into one confirmed request, or null to let the service answer. */
export function injectedFault(b: MeterBehaviour, service: number, random: () => number): InjectedFault | null {
  if (service === ConfirmedServiceChoice.READ_PROPERTY_MULTIPLE && b.refuseRpm) {
    if (b.refuseRpm === 'reject') return { kind: 'reject', reason: RejectReason.UNRECOGNIZED_SERVICE };
    return { kind: 'error', errorClass: ErrorClass.SERVICES, errorCode: ErrorCode.REJECT_UNRECOGNIZED_SERVICE };
  }
  if (b.error || (b.errorRate > 0 && random() < b.errorRate)) {
    const e = b.error ?? { errorClass: ErrorClass.DEVICE, errorCode: ErrorCode.OPERATIONAL_PROBLEM };
    return { kind: 'error', errorClass: e.errorClass, errorCode: e.errorCode };
  }
  return null;
}
