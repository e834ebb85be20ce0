/** What the resolver makes of an outcome: the resolved resource, and a failure reported once (or thrown with `strict`). */

import { BoundedMap } from '../bounded-map.js';
import { LsconvError, shortValue } from '../errors.js';
import type { ConversionReport } from '../report.js';
import { type Failure, location, type Outcome } from './resolver-plan.js';
import type { ResolvedResource, ResourceCallContext, ResourceOptions } from './types.js';

/** The resolver's `settle` and `recordFailure`, reporting each failure once per reference and task. */
export function createSettler(
  opts: ResourceOptions,
  report: ConversionReport | undefined,
): {
  settle: (url: string, outcome: Outcome, context: ResourceCallContext | undefined) => ResolvedResource;
  recordFailure: (url: string, failure: Failure, context: ResourceCallContext | undefined) => void;
} {
  const reported = new BoundedMap<string, true>(10_000);

  function settle(url: string, outcome: Outcome, context: ResourceCallContext | undefined): ResolvedResource {
    const resolved: ResolvedResource = {
      url: outcome.c.url,
      kind: outcome.c.kind,
      localName: outcome.localName,
    };
    if (outcome.path) {
      resolved.path = outcome.path;
      if (outcome.source) resolved.source = outcome.source;
    }
    if (outcome.failure) {
      resolved.error = outcome.failure.reason;
      recordFailure(url, outcome.failure, context);
    }
    return resolved;
  }

  function recordFailure(url: string, failure: Failure, context: ResourceCallContext | undefined): void {
    if (context?.optional) return;
    if (opts.strict) {
      throw new LsconvError('RESOURCE', `cannot get ${shortValue(url, 200)}: ${failure.reason}`, {
        ...location(context),
        hint: 'fix the reference or the resource options, or run without --strict to report it and go on',
      });
    }
    const dedupe = `${failure.code}\u0000${url}\u0000${context?.taskIndex}\u0000${String(context?.taskId)}`;
    if (reported.get(dedupe)) return;
    reported.set(dedupe, true);
    report?.skip({
      kind: 'resource',
      code: failure.code,
      reason: `${shortValue(url, 200)}: ${failure.reason}`,
      ...location(context),
    });
  }

  return { settle, recordFailure };
}
