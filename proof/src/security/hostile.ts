// Every hostile variant of an endpoint's valid request, in a fixed order (a case may change what a later one finds).
import type { Ctx, EndpointSpec } from './endpoint-spec.js';
import {
  allSiteRuleCases,
  controlTokenCases,
  operatorTokenCases,
  otherSiteKeyCases,
  otherUserCases,
  rebindingCases,
  siteKeyCases,
} from './hostile-auth.js';
import { batchCases, bodySizeCases, bodySyntaxCases, leafCases } from './hostile-body.js';
import { caseSet, type Creds, type HostileCase, type HostileOptions } from './hostile-case.js';
import {
  forgedAddressCases,
  pathParamCases,
  queryParamCases,
  queryStringCases,
  routeTraversalCases,
  staticFileCases,
  undecodableBodyCases,
} from './hostile-request.js';

const PHASES = [
  siteKeyCases,
  operatorTokenCases,
  otherUserCases,
  allSiteRuleCases,
  controlTokenCases,
  rebindingCases,
  otherSiteKeyCases,
  pathParamCases,
  routeTraversalCases,
  queryStringCases,
  queryParamCases,
  staticFileCases,
  forgedAddressCases,
  undecodableBodyCases,
];
/** Only for an endpoint that takes a body. */
const BODY_PHASES = [bodySyntaxCases, bodySizeCases, leafCases, batchCases];

export function hostileCases(ep: EndpointSpec, ctx: Ctx, creds: Creds, opts: HostileOptions = {}): HostileCase[] {
  const set = caseSet(ep, ctx, creds, opts);
  for (const phase of PHASES) phase(set);
  if (ep.body) for (const phase of BODY_PHASES) phase(set);
  return set.cases;
}
