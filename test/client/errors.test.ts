import t from 'tap';
import { Metadata, status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { ApiError, ApiErrorReason, isConflict, isGone, isInvalid, isNotFound, neverSent, parseCauses, toApiError } from '../../client/index.js';

function serviceError(code: number, details: string, metadata = new Metadata()): ServiceError {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata });
}

t.test('errors - gRPC codes map to stable reasons', async (t) => {
  const cases: [number, string][] = [
    [status.NOT_FOUND, ApiErrorReason.NotFound],
    [status.ALREADY_EXISTS, ApiErrorReason.AlreadyExists],
    [status.ABORTED, ApiErrorReason.Conflict],
    [status.INVALID_ARGUMENT, ApiErrorReason.Invalid],
    [status.OUT_OF_RANGE, ApiErrorReason.Gone],
    [status.FAILED_PRECONDITION, ApiErrorReason.FailedPrecondition],
    [status.RESOURCE_EXHAUSTED, ApiErrorReason.ResourceExhausted],
    [status.UNAUTHENTICATED, ApiErrorReason.Unauthorized],
    [status.PERMISSION_DENIED, ApiErrorReason.Forbidden],
    [status.UNAVAILABLE, ApiErrorReason.Unavailable],
    [status.DEADLINE_EXCEEDED, ApiErrorReason.Timeout],
  ];
  for (const [code, reason] of cases) {
    const e = toApiError(serviceError(code, 'msg'), '127.0.0.1:1');
    t.equal(e.reason, reason, `${code} -> ${reason}`);
    t.equal(e.code, code);
    t.equal(e.message, 'msg');
    t.equal(e.server, '127.0.0.1:1');
  }
  t.ok(isNotFound(toApiError(serviceError(status.NOT_FOUND, 'x'))));
  t.ok(isConflict(toApiError(serviceError(status.ABORTED, 'x'))));
  t.ok(isGone(toApiError(serviceError(status.OUT_OF_RANGE, 'too old resource version'))));
  t.notOk(isNotFound(new Error('x')));
  const plain = toApiError(new Error('boom'));
  t.equal(plain.reason, ApiErrorReason.Unknown);
  t.equal(toApiError(plain), plain, 'an ApiError passes through');
});

t.test('errors - Invalid carries the field errors of shoal-causes', async (t) => {
  const md = new Metadata();
  md.set('shoal-causes', JSON.stringify([
    { field: 'spec.containers[0].image', type: 'FieldValueRequired', message: 'Required value' },
    { field: 'metadata.name', type: 'FieldValueInvalid', message: 'a DNS-1123 subdomain' },
  ]));
  const e = toApiError(serviceError(status.INVALID_ARGUMENT, 'spec.containers[0].image: Required value', md));
  t.ok(isInvalid(e));
  t.same(e.causes, [
    { field: 'spec.containers[0].image', type: 'FieldValueRequired', message: 'Required value' },
    { field: 'metadata.name', type: 'FieldValueInvalid', message: 'a DNS-1123 subdomain' },
  ]);
  const bad = new Metadata();
  bad.set('shoal-causes', 'not json');
  t.same(parseCauses(bad), [], 'malformed causes are ignored, the message still says it');
  t.same(parseCauses(new Metadata()), []);
});

t.test('errors - only a failed connect proves a request was never sent', async (t) => {
  t.ok(neverSent(serviceError(status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:9')));
  t.notOk(neverSent(serviceError(status.UNAVAILABLE, 'Connection dropped')));
  t.notOk(neverSent(serviceError(status.UNAVAILABLE, 'the store cannot be reached')));
  t.notOk(neverSent(serviceError(status.NOT_FOUND, 'No connection established')));
  t.ok(neverSent(toApiError(serviceError(status.UNAVAILABLE, 'No connection established'))), 'seen through an ApiError');
  t.type(new ApiError(status.ABORTED, ApiErrorReason.Conflict, 'x'), Error);
});
